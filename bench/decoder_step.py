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

With `--flops`, instead: the floor that arithmetic puts under the step. torch's FlopCounterMode counts the
floating-point operations of the matmuls, convolutions and attention (not the element-wise ones, so the counts are lower
bounds) of the encoder's forward on one image and of one training step per image at `--flop-boxes` boxes an image. Each
is also timed (fastest of `--repeats`), which gives the GFLOP/s each reaches on this CPU. With r = step / encoder,
ours is at most K(1 + r) / (1 + K r) times the tutorial recipe at K = 10 epochs, if the step ran at the encoder's
GFLOP/s, and the GFLOP/s the step would need for 8x; a 2048 x 2048 matmul gives the practical peak to hold them
against. The part of the step that is the same for every box of an image (layer 0's projections of the image tokens:
`cross_attn_token_to_image.k_proj` and `.v_proj`, `cross_attn_image_to_token.q_proj`, whose inputs do not yet depend on
the prompt) is counted too: forward and weight gradient, what computing it once an image would save; so is the
image-wide positional encoding's share of the forward (it is recomputed every step).

Usage: python bench/decoder_step.py [--model base-random] [--images 4] [--boxes 4] [--repeats 5] [--threads 2] [--out F.json]
       python bench/decoder_step.py --flops [--model base-random] [--flop-boxes 1,4,16] [--out F.json]
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


SHARED_PER_IMAGE = ("transformer.layers.0.cross_attn_token_to_image.k_proj", "transformer.layers.0.cross_attn_token_to_image.v_proj",
                    "transformer.layers.0.cross_attn_image_to_token.q_proj")


def fastest(fn, repeats:int) -> float:
    "Seconds of the fastest of `repeats` calls of `fn` (after one warm-up call)."
    fn(); ts = []
    for _ in range(repeats):
        t = time.perf_counter(); fn(); ts.append(time.perf_counter() - t)
    return min(ts)


def flop_floor(config, model, images:int, boxes:list, repeats:int, results:dict):
    "Counted GFLOP and fastest seconds of the encoder (an image) and of the step (an image, per box count) into `results`."
    from torch.utils.flop_counter import FlopCounterMode
    F = results["figures"]
    S = config.prompt_encoder_config.image_size
    pixels = torch.randn(1, 3, S, S, generator=torch.Generator().manual_seed(0))
    encode = lambda: model.get_image_embeddings(pixel_values=pixels)
    with torch.no_grad():
        with FlopCounterMode(display=False) as fc: encode()
        enc_gflop, enc_s = fc.get_total_flops() / 1e9, fastest(encode, repeats)
    a, b = torch.randn(2048, 2048), torch.randn(2048, 2048)
    peak = 2 * 2048**3 / 1e9 / fastest(lambda: a @ b, repeats)   # what torch's matmul reaches on this CPU: a practical peak
    F.update(encoder_gflop_per_image=round(enc_gflop, 2), encoder_s_per_image=round(enc_s, 3), encoder_gflop_per_s=round(enc_gflop / enc_s, 1),
             matmul_2048_gflop_per_s=round(peak, 1))
    print(f"encoder: {enc_gflop:.2f} GFLOP an image, fastest {enc_s:.3f} s, {enc_gflop / enc_s:.1f} GFLOP/s; "
          f"a 2048 x 2048 matmul: {peak:.1f} GFLOP/s")
    r_8x = (10 - 8) / (10 * (8 - 1))   # the step / encoder time at which K(1 + r) / (1 + K r) = 8 at K = 10
    for k in boxes:
        batch = make_batch(config, images, k)
        step = stepper(model, batch)
        with FlopCounterMode(display=False) as fc: step()
        step_gflop = fc.get_total_flops() / 1e9 / images
        with torch.no_grad(), FlopCounterMode(display=False) as fc: sam_forward(model, batch)
        counts = fc.get_flop_counts()   # forward only: the backward's attribution to modules is not reliable
        shared = sum(sum(v.values()) for name, v in counts.items() if name.endswith(SHARED_PER_IMAGE)) / 1e9 / images
        forward_gflop = fc.get_total_flops() / 1e9 / images
        pe_share = sum(sum(v.values()) for name, v in counts.items() if name.endswith("shared_image_embedding")) / fc.get_total_flops()
        saved = 2 * shared * (k - 1) / k   # forward + weight gradient, computed once an image instead of once a box
        step_s = fastest(step, repeats) / images
        r, r_once = step_gflop / enc_gflop, (step_gflop - saved) / enc_gflop
        ceiling = lambda r, K=10: K * (1 + r) / (1 + K * r)
        row = dict(boxes=k, step_gflop_per_image=round(step_gflop, 3), forward_gflop_per_image=round(forward_gflop, 3), positional_encoding_share_of_forward=float(f"{pe_share:.2e}"), step_s_per_image=round(step_s, 3),
                   step_gflop_per_s=round(step_gflop / step_s, 1), flop_floor_step_over_encoder=round(r, 4),
                   measured_step_over_encoder=round(step_s / enc_s, 4), ceiling_10_epochs_at_flop_floor=round(ceiling(r), 2),
                   shared_gflop_saved_per_image=round(saved, 3), ceiling_10_epochs_shared_once=round(ceiling(r_once), 2),
                   step_gflop_per_s_for_8x=round(step_gflop / (r_8x * enc_s), 1))
        results["rows"].append(row)
        print(f"{k} boxes: step {step_gflop:.3f} GFLOP an image ({r:.2%} of the encoder's), fastest {step_s:.3f} s an image "
              f"({step_s / enc_s:.2%} of the encoder's time), {step_gflop / step_s:.1f} GFLOP/s; ceiling at 10 epochs if it ran "
              f"at the encoder's GFLOP/s: {ceiling(r):.2f}x ({ceiling(r_once):.2f}x with layer 0's image projections once an image); "
              f"8x needs the step at {step_gflop / (r_8x * enc_s):.1f} GFLOP/s")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--model", default="base-random", choices=["tiny", "base-random"])
    ap.add_argument("--images", type=int, default=4); ap.add_argument("--boxes", type=int, default=4)
    ap.add_argument("--repeats", type=int, default=5); ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--smoke", action="store_true", help="tiny, 2 images, 2 repeats (seconds)")
    ap.add_argument("--flops", action="store_true", help="the FLOP floor of the step against the encoder (see above), not the profile")
    ap.add_argument("--flop-boxes", default="1,4,16", help="box counts an image for --flops")
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
    if a.flops:
        results["title"] = f"The FLOP floor of the decoder step against the encoder ({a.model})"
        flop_floor(config, base, a.images, [int(k) for k in a.flop_boxes.split(",")], a.repeats, results)
        return finish(results, F, a.out)

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
