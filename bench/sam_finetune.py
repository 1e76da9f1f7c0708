#!/usr/bin/env python
"""Tutorial recipe against ours, on the same images, in one process.

Tutorial recipe: every training step runs the frozen image encoder on the batch's pixels, then the mask decoder
(`create_dataloaders(cache=None)` + `train_one_epoch`). Ours: encode every image once into the embedding cache
(`cache_embeddings`), then train the decoder for K epochs on the cache (`create_dataloaders(cache=...)`).
Both use `freeze_sam`, `train_one_epoch` and the DiceCE loss of `yolo_sam_training.train_sam`.

Also: the loader from the cache alone vs the decoder training step (img/s each), and the fast paths
(--bf16 autocast, --sdpa attention, --compile of encoder and decoder), each checked against fp32 eager
(relative error) and then timed against it in the same run.

Prints a `FIGURES` block of `name = value` lines at the end; `--out file.json` also writes JSON + Markdown.
`--gpu-suite` runs everything on sam-vit-base (random weights) on a CUDA GPU; with no GPU it says so and exits 0.
"""
import argparse, copy, contextlib, dataclasses, math, os, shutil, statistics, sys, tempfile, time, traceback
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import ROOT, setup_env, machine, reset_peak_rss, peak_rss_mib, write_results
setup_env()

import torch
from yolo_sam_training.data import make_synthetic_dataset, load_dataset_from_summary, SegmentationDataset
from yolo_sam_training.preprocess import sam_processor_for, reset_positional_embedding, cache_embeddings
from yolo_sam_training.split import create_dataloaders
from yolo_sam_training.sam_step import freeze_sam, train_one_epoch, default_loss_fn, sam_forward

# ------------------------------------------------------------------------------------------------ setup

def sam_config(name:str):
    "`tiny` (the package's test preset) or `base-random` (the sam-vit-base architecture, `SamConfig()`)."
    from transformers import SamConfig
    if name == "tiny":  # the package's test preset (imported here: the GPU suite does not need it)
        from yolo_sam_training.preprocess import TINY_SAM, tiny_sam_config
        return tiny_sam_config(**TINY_SAM)
    if name == "base-random":
        config = SamConfig()
        # SamVisionConfig's default init range (1e-10) gives ~1e-21 activations: denormal-slow on a CPU, so timings
        # would be wrong; 0.02 gives activations of ordinary size (real weights are of ordinary size too)
        config.vision_config.initializer_range = 0.02
        return config
    raise SystemExit(f"--model {name!r}: expected 'tiny' or 'base-random' (no weights can be downloaded here)")

def build_model(config, attn:str="sdpa", state:dict|None=None, seed:int=0):
    "A `SamModel` of `config` with attention `attn` ('sdpa' or 'eager'), random weights of `seed` (or `state`), encoders frozen."
    from transformers import SamModel
    torch.manual_seed(seed)
    model = SamModel._from_config(copy.deepcopy(config), attn_implementation=attn)
    if state is not None: model.load_state_dict(state)
    else: reset_positional_embedding(model, seed)  # the random-init trap of NOTES.md
    freeze_sam(model)
    return model

def _make_part(args):
    folder, n, seed, size_range, max_instances = args
    if not (Path(folder) / "summary.json").exists():
        make_synthetic_dataset(folder, n_images=n, seed=seed, size_range=size_range, max_instances=max_instances)
    return folder

def bench_dataset(folder:Path, n_images:int, k:int, seed:int=0, size_range=(128, 192), processes:int=1) -> SegmentationDataset:
    "`n_images` synthetic images with exactly `k` instances each: generate a pool, keep images with >= k, first k instances."
    # the pool is written in `processes` parts at once (seeds seed, seed + 1, ...): images of one part differ from the others'
    pool = max(2 * n_images, n_images + 8)
    while True:
        parts = max(1, min(processes, pool // 64))
        jobs = [(str(folder / f"pool{pool}" / f"part{i}"), pool // parts + (i < pool % parts), seed + i, size_range, 2 * k + 2) for i in range(parts)]
        if parts > 1:  # threads: PIL and zlib release the GIL for most of the work, and nothing is imported again
            from concurrent.futures import ThreadPoolExecutor
            with ThreadPoolExecutor(parts) as workers: list(workers.map(_make_part, jobs))
        else: _make_part(jobs[0])
        keep, names = [], None
        for i, job in enumerate(jobs):
            ds = load_dataset_from_summary(job[0]); names = ds.class_names
            keep += [dataclasses.replace(s, id=f"{i}-{s.id}") if parts > 1 else s for s in ds.samples if s.num_instances >= k]
        keep = keep[:n_images]
        if len(keep) == n_images: break
        pool *= 2
    keep = [dataclasses.replace(s, mask_paths=list(s.mask_paths[:k]), class_ids=s.class_ids[:k], boxes_cxcywh_norm=s.boxes_cxcywh_norm[:k])
            for s in keep]
    return SegmentationDataset(keep, names, folder, None)

def sync(device):
    if device.type == "cuda": torch.cuda.synchronize(device)

def autocast(device, precision:str):
    "bf16 autocast on `device` for precision 'bf16', nothing for 'fp32'."
    return torch.autocast(device.type, dtype=torch.bfloat16) if precision == "bf16" else contextlib.nullcontext()

@contextlib.contextmanager
def phase(device, stats:dict, name:str):
    "Time a phase and record its own peak RSS (and CUDA max allocated) under `name`."
    reset_peak_rss()
    if device.type == "cuda": torch.cuda.reset_peak_memory_stats(device)
    sync(device); t = time.perf_counter()
    yield
    sync(device)
    stats[f"{name}_s"] = time.perf_counter() - t
    stats[f"{name}_peak_rss_mib"] = peak_rss_mib()
    if device.type == "cuda": stats[f"{name}_cuda_max_alloc_mib"] = torch.cuda.max_memory_allocated(device) / 2**20

def rel_err(a, b) -> float:
    "Relative error ||a - b|| / ||b|| in float64."
    a, b = a.detach().double().cpu(), b.detach().double().cpu()
    return ((a - b).norm() / b.norm().clamp(min=1e-30)).item()

def repeat_time(fn, device, min_s:float=1.0, max_reps:int=20, min_reps:int=1) -> float:
    "Seconds per call of `fn` (already warmed up): repeated until `min_s` seconds or `max_reps` calls."
    n, t0 = 0, time.perf_counter()
    while True:
        fn(); sync(device); n += 1
        el = time.perf_counter() - t0
        if n >= max_reps or (el >= min_s and n >= min_reps): return el / n

# ------------------------------------------------------------------------------------------------ recipes

def run_epochs(model, loader, n_epochs:int, device, precision:str, lr:float=1e-5) -> tuple:
    "Train the decoder `n_epochs` with train_sam's `train_one_epoch`; return (seconds per epoch, losses)."
    opt = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=lr)
    loss_fn, times, losses = default_loss_fn(), [], []
    for e in range(n_epochs):
        sync(device); t = time.perf_counter()
        with autocast(device, precision): losses.append(train_one_epoch(model, loader, opt, loss_fn, epoch=e + 1, progress=False))
        sync(device); times.append(time.perf_counter() - t)
        print(f"    epoch {e + 1}/{n_epochs}: {times[-1]:.2f} s, loss {losses[-1]:.4f}", flush=True)
    return times, losses

def warm_up(model, ds, processor, device, precision):
    "One training step on one image through the pixel path: thread pools, allocator and kernels start before timing."
    loader, _ = create_dataloaders(ds.subset(ds.ids[:1]), ds.subset(ds.ids[:1]), processor, batch_size=1)
    run_epochs(model, loader, 1, device, precision)

def compare_recipes(a, config, processor, ds, device, work:Path, F:dict, save=lambda: None):
    "The main comparison: tutorial recipe (measured epochs, projected to K) vs ours (encode once + K epochs)."
    n, K = len(ds), a.epochs
    model = build_model(config, a.attn, seed=a.seed).to(device)
    state = copy.deepcopy(model.state_dict())
    print(f"model {a.model} ({sum(p.numel() for p in model.parameters()) / 1e6:.1f} M parameters, "
          f"{sum(p.numel() for p in model.parameters() if p.requires_grad) / 1e6:.2f} M trainable: the mask decoder), "
          f"attention {a.attn}, precision {a.precision}, device {device}", flush=True)
    print("warm-up step ...", flush=True); warm_up(model, ds, processor, device, a.precision)
    # images through the vision encoder, by phase: the tutorial re-encodes every image every epoch, ours once
    seen = {"n": 0}
    def count(module, args, kwargs, output):
        x = args[0] if args else next(v for v in kwargs.values() if torch.is_tensor(v))
        seen["n"] += x.shape[0]
    hook = model.vision_encoder.register_forward_hook(count, with_kwargs=True)
    def counted(key):
        F[key] = seen["n"]; seen["n"] = 0

    tut_epochs = min(a.tutorial_epochs or K, K)
    tut_n = min(a.tutorial_images or n, n)  # fewer images: each epoch's time is scaled to n (every image costs the same)
    print(f"\n[tutorial] the encoder runs on the pixels every step ({a.precision}), batch {a.batch_size}, padded boxes: {tut_epochs} of {K} epochs measured"
          + (f" on {tut_n} of the {n} images" if tut_n < n else ""), flush=True)
    model.load_state_dict(state)
    tut_ds = ds.subset(ds.ids[:tut_n])
    loader, _ = create_dataloaders(tut_ds, tut_ds, processor, batch_size=a.batch_size, cache=None, num_workers=a.num_workers, seed=a.seed)
    st = {}
    with phase(device, st, "tutorial"): t_times, t_losses = run_epochs(model, loader, tut_epochs, device, a.precision)
    counted("tutorial_encoder_images")
    t_times = [t * n / tut_n for t in t_times]
    t_epoch = statistics.mean(t_times)
    F.update(tutorial_epoch_s=t_epoch, tutorial_img_per_s=n / t_epoch, tutorial_epochs_measured=tut_epochs, tutorial_images_measured=tut_n,
             tutorial_peak_rss_mib=st["tutorial_peak_rss_mib"], tutorial_first_loss=t_losses[0])
    if "tutorial_cuda_max_alloc_mib" in st: F["tutorial_cuda_max_alloc_mib"] = st["tutorial_cuda_max_alloc_mib"]
    save()

    our_epochs = min(a.ours_epochs or K, K)
    print(f"\n[ours] encode once into the cache (stored fp16; {a.precision} compute), then {our_epochs} of {K} decoder epochs measured on the cache", flush=True)
    model.load_state_dict(state)
    cache_dir = work / "cache"; shutil.rmtree(cache_dir, ignore_errors=True)
    st = {}
    with phase(device, st, "encode"):
        with autocast(device, a.precision):
            cache = cache_embeddings(ds, model, processor, cache_dir, batch_size=a.encode_batch_size, device=device)
    assert cache.encoded == n, f"expected {n} images encoded, got {cache.encoded} (a stale cache?)"
    counted("encode_encoder_images")
    F.update(encode_s=st["encode_s"], encode_s_per_image=st["encode_s"] / n, encode_img_per_s=n / st["encode_s"]); save()
    print(f"    encoded {n} images in {st['encode_s']:.2f} s: {n / st['encode_s']:.4g} img/s", flush=True)
    our_bs = a.ours_batch_size or a.batch_size
    loader, _ = create_dataloaders(ds, ds, processor, batch_size=our_bs, cache=cache, num_workers=a.num_workers, seed=a.seed,
                                   max_instances_per_batch=a.ours_max_instances)
    if a.ours_max_instances: print(f"    at most {a.ours_max_instances} prompts a batch of {our_bs} images (the tutorial takes all)", flush=True)
    with phase(device, st, "ours"): o_times, o_losses = run_epochs(model, loader, our_epochs, device, a.precision)
    counted("ours_encoder_images"); hook.remove()
    o_epoch = statistics.mean(o_times)
    F.update(encode_s=st["encode_s"], encode_s_per_image=st["encode_s"] / n, encode_img_per_s=n / st["encode_s"],
             ours_epoch_s=o_epoch, ours_img_per_s=n / o_epoch, ours_epochs_measured=our_epochs,
             encode_peak_rss_mib=st["encode_peak_rss_mib"], ours_peak_rss_mib=st["ours_peak_rss_mib"], ours_first_loss=o_losses[0],
             ours_batch_size=our_bs, ours_max_instances=a.ours_max_instances)
    for k in ("encode_cuda_max_alloc_mib", "ours_cuda_max_alloc_mib"):
        if k in st: F[k] = st[k]

    F["tutorial_total_s"] = sum(t_times) if tut_epochs == K else t_epoch * K
    F["ours_total_s"] = st["encode_s"] + (sum(o_times) if our_epochs == K else o_epoch * K)
    F["speedup_end_to_end"] = F["tutorial_total_s"] / F["ours_total_s"]
    # on a shared machine an epoch can be slowed by others: the fastest tutorial epoch against the slowest of ours
    # bounds the ratio from below
    F["speedup_end_to_end_conservative"] = min(t_times) * K / (st["encode_s"] + max(o_times) * K)
    F["epochs"] = K
    F["tutorial_epoch_times_s"] = [round(t, 3) for t in t_times]
    F["ours_epoch_times_s"] = [round(t, 3) for t in o_times]
    method = []
    if tut_epochs < K or tut_n < n:
        method.append(f"tutorial: mean of {tut_epochs} measured epochs" + (f" of {tut_n} images x {n}/{tut_n}" if tut_n < n else "") + f" x {K}")
    if our_epochs < K: method.append(f"ours: one-time encoding + mean of {our_epochs} measured epochs x {K}")
    F["projection"] = "; ".join(method) or "none: all epochs measured"
    save()
    return model, cache, state

def encode_pipelined(a, model, processor, ds, device, work:Path, F:dict):
    "The one-time encoding with preprocessing in the loader's workers and cache writes in threads (what `cache_embeddings` could do)."
    from concurrent.futures import ThreadPoolExecutor
    from yolo_sam_training.preprocess import EmbeddingCache, file_sha256
    n, st = len(ds), {}
    _, loader = create_dataloaders(ds, ds, processor, batch_size=a.encode_batch_size, num_workers=a.num_workers)
    model.eval()
    with phase(device, st, "encode_pipelined"), ThreadPoolExecutor(8) as pool:
        # timed like cache_embeddings: the weights' fingerprint, every image's hash, preprocessing, encoding, writing
        cache = EmbeddingCache(work / "cache-pipelined", model, processor)
        sha = {s.id: file_sha256(s.image_path) for s in ds.samples}
        jobs = []
        for batch in loader:
            pv = batch["pixel_values"].to(device, non_blocking=True)
            with torch.inference_mode(), autocast(device, a.precision): emb = model.get_image_embeddings(pv)
            emb = emb.to("cpu", cache.dtype)
            jobs += [pool.submit(cache.save, sha[i], e) for i, e in zip(batch["ids"], emb)]
        for j in jobs: j.result()
    assert len(list(cache.dir.glob("*.safetensors"))) == n, "the pipelined encoding did not write every image"
    F.update(encode_pipelined_s=st["encode_pipelined_s"], encode_pipelined_img_per_s=n / st["encode_pipelined_s"])
    print(f"    encoded {n} images in {st['encode_pipelined_s']:.2f} s: {n / st['encode_pipelined_s']:.4g} img/s "
          f"(preprocessing in {a.num_workers} loader workers, writes in 8 threads)", flush=True)

def loader_vs_step(a, model, processor, ds, cache, device, F:dict):
    "The loader from the cache alone (no model) vs the decoder training step on batches already in memory, img/s each."
    sub = ds.subset(ds.ids[:min(len(ds), a.loader_images)])
    loader, _ = create_dataloaders(sub, sub, processor, batch_size=a.batch_size, cache=cache, num_workers=a.num_workers, seed=a.seed)
    next(iter(loader))  # worker start-up and first file reads are not the steady state
    t = time.perf_counter(); batches = list(loader); load_s = time.perf_counter() - t
    opt = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=1e-5)
    with autocast(device, a.precision): train_one_epoch(model, batches[:1], opt, progress=False)  # warm
    sync(device); t = time.perf_counter()
    with autocast(device, a.precision): train_one_epoch(model, batches, opt, progress=False)
    sync(device); step_s = time.perf_counter() - t
    F.update(loader_img_per_s=len(sub) / load_s, step_img_per_s=len(sub) / step_s, loader_over_step=step_s / load_s,
             loader_images=len(sub))

# ------------------------------------------------------------------------------------------------ fast paths

TOL = {"bf16": 5e-2, "sdpa": 1e-3, "compile": 1e-3, "bf16+sdpa+compile": 5e-2}

def fast_paths(a, config, processor, ds, device, state:dict, F:dict):
    "Each fast path vs the fp32 eager-attention uncompiled baseline: relative error first, then encoder and decoder-step img/s."
    wanted = [v for v, on in (("bf16", a.bf16), ("sdpa", a.sdpa), ("compile", a.compile)) if on]
    if a.bf16 and a.sdpa and a.compile: wanted.append("bf16+sdpa+compile")
    if not wanted: return
    sub = ds.subset(ds.ids[:a.variant_images])
    batch = next(iter(create_dataloaders(sub, sub, processor, batch_size=len(sub), box_jitter_px=0)[1]))
    batch = {k: v.to(device) if torch.is_tensor(v) else v for k, v in batch.items()}
    pv, b = batch.pop("pixel_values"), len(sub)

    def measure(name, attn, precision, compiled):
        model = build_model(config, attn, state=state).to(device)
        if compiled:
            model.vision_encoder.compile(); model.mask_decoder.compile()
        def encode():
            with torch.inference_mode(), autocast(device, precision): return model.get_image_embeddings(pv)
        t = time.perf_counter(); emb = encode(); sync(device); first = time.perf_counter() - t  # compiles when compiled
        dec_batch = dict(batch, image_embeddings=ref["emb"] if ref else emb.float())
        with torch.no_grad(), autocast(device, precision): pred = sam_forward(model, dec_batch)
        out = {"first_call_s": first}
        if ref:
            out["encoder_rel_err"], out["decoder_rel_err"] = rel_err(emb, ref["emb"]), rel_err(pred, ref["pred"])
            errs = (out["encoder_rel_err"], out["decoder_rel_err"])
            finite = all(math.isfinite(e) for e in errs)
            ok = finite and max(errs) <= TOL[name]
            print(f"  {name:<18} relative error vs fp32 eager: encoder {errs[0]:.2e}, decoder masks {errs[1]:.2e} "
                  f"({'within' if ok else 'ABOVE'} tolerance {TOL[name]:g}{'' if finite else ', not finite: not timed'})", flush=True)
            out["correct"] = ok
            if not finite:  # a broken kernel: its speed means nothing (a finite error above tolerance is timed and flagged)
                out.update(encoder_img_per_s=math.nan, step_img_per_s=math.nan)
                return out
        else:
            ref.update(emb=emb.float(), pred=pred.float())
        opt = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=1e-5)
        steps = [dec_batch]
        def step():
            with autocast(device, precision): train_one_epoch(model, steps, opt, progress=False)
        step()  # warm (and compiles the backward when compiled)
        enc_s = repeat_time(encode, device, min_s=a.variant_seconds, max_reps=10)
        step_s = repeat_time(step, device, min_s=a.variant_seconds, max_reps=50)
        out.update(encoder_img_per_s=b / enc_s, step_img_per_s=b / step_s)
        del model
        return out

    print(f"\n[fast paths] {b} images; baseline fp32, eager attention, not compiled", flush=True)
    ref = {}
    base = measure("baseline", "eager", "fp32", False)
    print(f"  {'baseline':<18} encoder {base['encoder_img_per_s']:.3g} img/s, decoder step {base['step_img_per_s']:.3g} img/s", flush=True)
    F.update(baseline_encoder_img_per_s=base["encoder_img_per_s"], baseline_step_img_per_s=base["step_img_per_s"])
    settings = {"bf16": ("eager", "bf16", False), "sdpa": ("sdpa", "fp32", False), "compile": ("eager", "fp32", True),
                "bf16+sdpa+compile": ("sdpa", "bf16", True)}
    for name in wanted:
        r = measure(name, *settings[name])
        if math.isfinite(r["encoder_img_per_s"]): print(f"  {name:<18} encoder {r['encoder_img_per_s']:.3g} img/s ({r['encoder_img_per_s'] / base['encoder_img_per_s']:.2f}x), "
              f"decoder step {r['step_img_per_s']:.3g} img/s ({r['step_img_per_s'] / base['step_img_per_s']:.2f}x)"
              + (f", first call {r['first_call_s']:.1f} s (compiling)" if settings[name][2] else ""), flush=True)
        key = name.replace("+", "_")
        F.update({f"{key}_encoder_rel_err": r["encoder_rel_err"], f"{key}_decoder_rel_err": r["decoder_rel_err"],
                  f"{key}_correct": r["correct"], f"{key}_encoder_speedup": r["encoder_img_per_s"] / base["encoder_img_per_s"],
                  f"{key}_step_speedup": r["step_img_per_s"] / base["step_img_per_s"]})

# ------------------------------------------------------------------------------------------------ main

def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model", default="tiny", help="tiny | base-random (sam-vit-base architecture, random weights)")
    p.add_argument("--images", type=int, default=64, help="synthetic images (the same for both recipes)")
    p.add_argument("--boxes-per-image", type=int, default=4, help="instances (box prompts) of every image")
    p.add_argument("--epochs", type=int, default=10, help="K: the end-to-end comparison is over K epochs")
    p.add_argument("--tutorial-epochs", type=int, default=None, help="epochs of the tutorial recipe to measure (default K); fewer are projected to K")
    p.add_argument("--ours-epochs", type=int, default=None, help="decoder epochs of ours to measure (default K); fewer are projected to K")
    p.add_argument("--batch-size", type=int, default=4, help="images a training batch (both recipes)")
    p.add_argument("--ours-batch-size", type=int, default=None, help="images a training batch of ours on the cache (default --batch-size)")
    p.add_argument("--ours-max-instances", type=int, default=None, help="ours samples at most this many prompts a batch (create_dataloaders(max_instances_per_batch=...)); default all")
    p.add_argument("--tutorial-images", type=int, default=None, help="measure the tutorial's epochs on this many of the images, scaled to all (default all)")
    p.add_argument("--pipelined-encode", action="store_true", help="also time the encoding with preprocessing in the loader's workers")
    p.add_argument("--encode-batch-size", type=int, default=8, help="images a batch of the one-time encoding")
    p.add_argument("--device", default="auto", help="cpu | cuda | auto (cuda when available)")
    p.add_argument("--precision", default="fp32", choices=["fp32", "bf16"], help="autocast of both recipes")
    p.add_argument("--attn", default="sdpa", choices=["sdpa", "eager"], help="attention of both recipes (transformers' default: sdpa)")
    p.add_argument("--num-workers", type=int, default=0, help="DataLoader workers (both recipes)")
    p.add_argument("--bf16", action="store_true", help="fast path: bf16 autocast vs fp32")
    p.add_argument("--sdpa", action="store_true", help="fast path: SDPA attention vs eager")
    p.add_argument("--compile", action="store_true", help="fast path: torch.compile of encoder and decoder vs eager")
    p.add_argument("--variant-images", type=int, default=2, help="images in the fast-path batch")
    p.add_argument("--variant-seconds", type=float, default=1.0, help="time each fast-path measurement at least this long")
    p.add_argument("--loader-images", type=int, default=256, help="images for the loader-vs-step check")
    p.add_argument("--no-recipes", action="store_true", help="skip the recipe comparison (fast paths only)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--threads", type=int, default=None, help="torch threads (default: torch's choice)")
    p.add_argument("--workdir", default=None, help="folder for the synthetic data and cache (default: a temporary one, removed)")
    p.add_argument("--out", default=None, help="write the figures as JSON (and .md beside it)")
    p.add_argument("--smoke", action="store_true", help="seconds-long check: tiny, 8 images, 1 epoch, bf16 + sdpa fast paths")
    p.add_argument("--gpu-suite", action="store_true", help="sam-vit-base on a CUDA GPU, every variant, results file; exits 0 without a GPU")
    a = p.parse_args(argv)
    if a.smoke:
        a.model, a.images, a.boxes_per_image, a.epochs, a.batch_size, a.bf16, a.sdpa = "tiny", 8, 2, 1, 4, True, True
        a.variant_seconds, a.loader_images, a.threads = 0.2, 8, a.threads or 1
    if a.gpu_suite:  # its settings, except those given on the command line (e.g. --images 200 for a quicker run)
        given = {x.split("=")[0].lstrip("-").replace("-", "_") for x in (sys.argv[1:] if argv is None else argv) if x.startswith("--")}
        # the fast paths (bf16, compile, batch sizes) are measured by families.py in the same gpu.sh run
        suite = dict(model="base-random", images=1000, boxes_per_image=4, epochs=10, tutorial_epochs=1, tutorial_images=256,
                     ours_epochs=3, batch_size=8, ours_batch_size=32, precision="bf16", encode_batch_size=32,
                     num_workers=min(8, (torch.multiprocessing.cpu_count() or 2) - 1), device="cuda", pipelined_encode=True,
                     loader_images=512, out=str(ROOT / "bench" / "results" / "gpu-suite.json"))
        for k, v in suite.items():
            if k not in given: setattr(a, k, v)
    return a

def main(argv=None) -> int:
    a = parse_args(argv)
    if a.gpu_suite and not torch.cuda.is_available():
        print("GPU suite: no CUDA GPU on this machine (torch.cuda.is_available() is False); nothing measured. "
              "Run `bash bench/gpu.sh` on a machine with one.")
        return 0
    if a.threads: torch.set_num_threads(a.threads)
    device = torch.device("cuda" if a.device == "auto" and torch.cuda.is_available() else ("cpu" if a.device == "auto" else a.device))
    if device.type == "cuda" and not torch.cuda.is_available(): raise SystemExit("--device cuda: no CUDA GPU here")
    config = sam_config(a.model)
    processor = sam_processor_for(config)
    info = machine()
    print(f"{info['date']} | {info['cpu']} x{info['cpus']} (torch threads {info['torch_threads']}, load {info['load_avg']}) | "
          f"GPU {info['gpu']} | torch {info['torch']}, transformers {info['transformers']}", flush=True)
    F, errors = {}, {}
    title = f"sam_finetune: {a.model}, {a.images} images x {a.boxes_per_image} boxes, {a.epochs} epochs, {device.type}, {a.precision}"
    res = dict(title=title, machine=info, args=vars(a), figures=F, errors=errors)
    def save():  # after every phase: a run stopped by a time limit keeps what it measured
        if a.out: write_results(res, a.out)
    def guarded(name, fn):
        "Run one phase; on an error record it, save, and go on with the next phase."
        try: return fn()
        except Exception as e:
            errors[name] = f"{type(e).__name__}: {str(e).strip()[:500]}"
            print(f"\n[{name}] FAILED: {errors[name]}", flush=True); traceback.print_exc(limit=4); save()
    work = Path(a.workdir) if a.workdir else Path(tempfile.mkdtemp(prefix="bench-sam-"))
    try:
        t = time.perf_counter()
        ds = bench_dataset(work / "data", a.images, a.boxes_per_image, seed=a.seed, processes=max(1, min(16, (os.cpu_count() or 1) - 1)))
        F["make_data_s"] = time.perf_counter() - t
        print(f"{len(ds)} synthetic images x {a.boxes_per_image} boxes ({F['make_data_s']:.1f} s to make)", flush=True)
        state, out = None, None
        if not a.no_recipes:
            out = guarded("recipes", lambda: compare_recipes(a, config, processor, ds, device, work, F, save))
        if out is not None:
            model, cache, state = out
            if a.pipelined_encode:
                print(f"\n[ours, pipelined encoding] batch {a.encode_batch_size}, {a.precision}", flush=True)
                guarded("encode_pipelined", lambda: encode_pipelined(a, model, processor, ds, device, work, F)); save()
            print(f"\n[loader vs step] loader from the cache (no model) vs decoder training step", flush=True)
            guarded("loader_vs_step", lambda: loader_vs_step(a, model, processor, ds, cache, device, F)); save()
            del model
        if a.bf16 or a.sdpa or a.compile:
            if state is None: state = build_model(config, a.attn, seed=a.seed).state_dict()
            guarded("fast_paths", lambda: fast_paths(a, config, processor, ds, device, state, F)); save()
    finally:
        if not a.workdir: shutil.rmtree(work, ignore_errors=True)

    print("\nFIGURES")
    if "speedup_end_to_end" in F:
        K = F["epochs"]
        print(f"  per-image encoder time (one-time encoding, incl. read/preprocess/write): {F['encode_s_per_image']:.4g} s "
              f"({F['encode_img_per_s']:.4g} img/s)")
        print(f"  per-epoch throughput: tutorial {F['tutorial_img_per_s']:.4g} img/s, ours (decoder on the cache) {F['ours_img_per_s']:.4g} img/s")
        print(f"  end to end, {K} epochs of {a.images} images: tutorial {F['tutorial_total_s']:.4g} s, ours {F['ours_total_s']:.4g} s "
              f"-> ours {F['speedup_end_to_end']:.3g}x faster (conservative: fastest tutorial epoch vs slowest of ours, "
              f"{F['speedup_end_to_end_conservative']:.3g}x)")
        print(f"  projection: {F['projection']}")
        print(f"  peak RSS: tutorial {F['tutorial_peak_rss_mib']:.0f} MiB, encoding {F['encode_peak_rss_mib']:.0f} MiB, "
              f"ours {F['ours_peak_rss_mib']:.0f} MiB" + (f"; CUDA max allocated: tutorial {F['tutorial_cuda_max_alloc_mib']:.0f} MiB, "
              f"encoding {F['encode_cuda_max_alloc_mib']:.0f} MiB, ours {F['ours_cuda_max_alloc_mib']:.0f} MiB" if "ours_cuda_max_alloc_mib" in F else ""))
        print(f"  loader from the cache {F['loader_img_per_s']:.4g} img/s vs decoder step {F['step_img_per_s']:.4g} img/s "
              f"-> loader {F['loader_over_step']:.3g}x the step (target >= 3)")
    for k, v in F.items(): print(f"{k} = {v:.6g}" if isinstance(v, float) else f"{k} = {v}")
    if "encode_pipelined_img_per_s" in F:
        print(f"  one-time encoding: cache_embeddings {F.get('encode_img_per_s', float('nan')):.4g} img/s; with preprocessing in the "
              f"loader's workers {F['encode_pipelined_img_per_s']:.4g} img/s")
    if errors: print(f"  FAILED phases: {', '.join(errors)}")
    if a.out: print("wrote", write_results(res, a.out))
    return 0

if __name__ == "__main__":
    sys.exit(main())
