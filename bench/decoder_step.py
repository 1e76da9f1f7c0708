#!/usr/bin/env python
"""The decoder training step on cached embeddings: where its time goes, and what `SamTrainConfig(compile=True)` buys.

One step is what `train_one_epoch` does on the cache: `sam_forward` (prompt encoder + mask decoder from the image
embeddings), `compute_batch_loss` (DiceCE at the low-res mask size), backward, Adam. The model is the sam-vit-base
architecture with random weights (`--model base-random`) or the tiny preset; the batch is `--images` cached embeddings
with `--boxes` boxes each.

1. Profile of the eager step (torch.profiler): the operators that take the most CPU time, as shares.
2. Eager against `mask_decoder.compile()` (what `compile=True` does), alternating, `--repeats` timed steps each after
   warm-up (the compiled warm-up is timed apart: it compiles). Ratio of medians, and the conservative bound
   (compiled's slowest step against eager's fastest).

Usage: python bench/decoder_step.py [--model base-random] [--images 4] [--boxes 4] [--repeats 5] [--threads 2] [--out F.json]
       python bench/decoder_step.py --smoke
"""
import argparse, copy, os, statistics, sys, time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import setup_env, machine, finish
setup_env()
import torch
from sam_finetune import sam_config, build_model
from yolo_sam_training.sam_step import compute_batch_loss, default_loss_fn, sam_forward


def make_batch(config, images:int, boxes:int, seed:int=0) -> dict:
    "`images` random cached embeddings with `boxes` boxes each and random low-res targets, as the cache loader gives them."
    g = torch.Generator().manual_seed(seed)
    c, s = config.vision_config.output_channels, config.prompt_encoder_config.image_embedding_size
    S, M = config.prompt_encoder_config.image_size, 4 * config.prompt_encoder_config.image_embedding_size
    xy = torch.rand(images, boxes, 2, generator=g) * S * 0.6
    wh = torch.rand(images, boxes, 2, generator=g) * S * 0.3 + S * 0.05
    return {"image_embeddings": torch.randn(images, c, s, s, generator=g), "input_boxes": torch.cat([xy, xy + wh], -1),
            "box_valid": torch.ones(images, boxes, dtype=torch.bool), "target_masks": (torch.rand(images, boxes, M, M, generator=g) > 0.5).float()}


def stepper(model, batch):
    "One training step of `model` on `batch` (a closure)."
    opt = torch.optim.Adam([p for p in model.parameters() if p.requires_grad], lr=1e-5)
    loss_fn = default_loss_fn()
    def step():
        loss = compute_batch_loss(sam_forward(model, batch), batch, loss_fn); loss.backward(); opt.step(); opt.zero_grad()
        return loss.item()
    return step


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--model", default="base-random", choices=["tiny", "base-random"])
    ap.add_argument("--images", type=int, default=4); ap.add_argument("--boxes", type=int, default=4)
    ap.add_argument("--repeats", type=int, default=5); ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--smoke", action="store_true", help="tiny, 2 images, 2 repeats (seconds)")
    ap.add_argument("--out", default=None)
    a = ap.parse_args()
    if a.smoke: a.model, a.images, a.repeats = "tiny", 2, 2
    torch.set_num_threads(a.threads)
    config = sam_config(a.model)
    batch = make_batch(config, a.images, a.boxes)
    base = build_model(config)
    base.train()
    results = {"title": f"Decoder training step on cached embeddings: profile, eager vs compiled ({a.model}, {a.boxes} boxes an image)",
               "machine": machine(), "settings": dict(vars(a), load_avg_before=[round(x, 2) for x in os.getloadavg()]), "rows": [], "figures": {}}
    F = results["figures"]

    eager = stepper(base, batch)
    for _ in range(2): eager()
    from torch.profiler import profile, ProfilerActivity
    with profile(activities=[ProfilerActivity.CPU]) as prof:
        eager()
    ops = sorted(prof.key_averages(), key=lambda e: e.self_cpu_time_total, reverse=True)
    total = sum(e.self_cpu_time_total for e in ops)
    print(f"profile of one eager step ({a.images} images x {a.boxes} boxes), share of self CPU time:")
    for e in ops[:10]:
        share = e.self_cpu_time_total / total
        print(f"  {e.key:55s} {share:6.1%}  ({e.count} calls)")
        results["rows"].append(dict(op=e.key, self_cpu_share=round(share, 4), calls=e.count))

    cmodel = copy.deepcopy(base)
    cmodel.mask_decoder.compile()
    compiled = stepper(cmodel, batch)
    t = time.perf_counter(); compiled(); F["compile_first_step_s"] = round(time.perf_counter() - t, 1)
    compiled()
    times = {"eager": [], "compiled": []}
    for _ in range(a.repeats):   # alternating, so a change of load hits both
        for name, fn in (("eager", eager), ("compiled", compiled)):
            t = time.perf_counter(); fn(); times[name].append(time.perf_counter() - t)
    for name, ts in times.items():
        F[f"{name}_step_s_median"] = round(statistics.median(ts), 3)
        F[f"{name}_step_s_min"] = round(min(ts), 3); F[f"{name}_step_s_max"] = round(max(ts), 3)
        F[f"{name}_img_per_s"] = round(a.images / statistics.median(ts), 3)
        print(f"{name}: step {statistics.median(ts):.3f} s median ({min(ts):.3f}-{max(ts):.3f}), {a.images / statistics.median(ts):.3f} img/s")
    F["compiled_speedup"] = round(F["eager_step_s_median"] / F["compiled_step_s_median"], 2)
    F["compiled_speedup_conservative"] = round(F["eager_step_s_min"] / F["compiled_step_s_max"], 2)
    finish(results, F, a.out)


if __name__ == "__main__":
    main()
