#!/usr/bin/env python
"""What each SAM family costs at its real architecture size (random weights: the same compute as trained ones).

For every family (`sam` = sam-vit-base, `sam-hq` = SAM-HQ vit-base, `sam2` = SAM 2.1 with `Sam2Config()`'s
hiera-tiny sizes, `edgetam` = EdgeTAM with its RepViT-M1 backbone), built from transformers alone:
- encoder cost per image: `get_image_embeddings` on 1024 px images (inference mode);
- decoder step cost per image: forward from the cached features with `--boxes` box prompts an image, loss
  (BCE + Dice on the 256 px low-res masks, the cost of the trainer's DiceCE), backward, AdamW step on the mask decoder;
- cache bytes per image: what the decoder needs from the encoder, stored in fp16 (SAM-HQ: the image embedding
  and the first global-attention block's features, which its HQ decoder reads; SAM 2 / EdgeTAM: three levels).

Each measurement is a *variant* `precision/compile/batch[/cl]`: precision `fp32`, `amp` (bf16 autocast) or `bf16`
(bf16 weights, encoder only); compile `eager`, `default`, `ro` (mode="reduce-overhead": CUDA graphs) or `ma`
(mode="max-autotune-no-cudagraphs"); `cl` = channels-last input. Every variant is checked against the fp32 eager
result on the same inputs (relative error) and timed after its first call (which is timed apart: it compiles).
One failing variant is recorded with its error and the run goes on. Results are written after every variant
(`--out`), so a run stopped by a time limit keeps what it measured; `--budget-s` skips what no longer fits.

    python bench/families.py --out bench/results/cpu-families.json              # CPU: real sizes, 1 image, fp32 eager
    python bench/families.py --device cuda --out bench/results/gpu-families.json # GPU: eager variants of every family
    python bench/families.py --smoke                                              # seconds: tiny sizes, every code path
"""
import argparse, contextlib, copy, gc, math, os, statistics, subprocess, sys, time, traceback
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import setup_env, machine, write_results
setup_env()

import torch

FAMILIES = ("sam", "sam-hq", "sam2", "edgetam")
REPVIT = {"in_chans": 3, "features_only": True, "out_indices": [0, 1, 2, 3]}

# ------------------------------------------------------------------------------------------------ models

@contextlib.contextmanager
def local_repvit_config():
    "EdgeTAM's default backbone config without the hub: transformers 5.17 fetches `timm/repvit_m1.dist_in1k`'s config."
    # 5.17 builds a default EdgeTamVisionConfig (which fetches that config) even when one is passed (its repr does);
    # 5.24's default names the architecture under a misspelt key and builds a resnet50 the neck cannot read.
    from transformers import AutoConfig, TimmWrapperConfig
    orig = AutoConfig.from_pretrained
    def from_pretrained(name, *args, **kwargs):
        if str(name).startswith("timm/repvit_m1"): return TimmWrapperConfig(architecture="repvit_m1", model_args=kwargs.get("model_args", REPVIT))
        return orig(name, *args, **kwargs)
    AutoConfig.from_pretrained = from_pretrained
    try: yield
    finally: AutoConfig.from_pretrained = orig

def family_config(family:str, smoke:bool=False):
    "The real-size config of `family` (transformers' defaults), or with `smoke` a tiny one (128 px, fewest blocks, real widths)."
    import transformers as T
    S = 128 if smoke else 1024
    levels = [[S // 4, S // 4], [S // 8, S // 8], [S // 16, S // 16]]
    if family in ("sam", "sam-hq"):
        cls = T.SamConfig if family == "sam" else T.SamHQConfig
        # the vision encoder's default init range (1e-10) gives denormal activations: many times slower on a CPU
        vision = dict(initializer_range=0.02) | (dict(image_size=S, num_hidden_layers=2, global_attn_indexes=[0, 1]) if smoke else {})
        return cls(vision_config=vision, prompt_encoder_config=dict(image_size=S))
    if family == "sam2":
        if not smoke: return T.Sam2Config()
        # a global-attention block may not open a query-pooling stage (ZeroDivisionError), hence [1, 1, 2, 1] and [3]
        backbone = dict(model_type="sam2_hiera_det_model", image_size=[S, S], blocks_per_stage=[1, 1, 2, 1], global_attention_blocks=[3])
        return T.Sam2Config(vision_config=dict(backbone_config=backbone, backbone_feature_sizes=levels), prompt_encoder_config=dict(image_size=S))
    if family == "edgetam":
        with local_repvit_config():
            vision = T.EdgeTamVisionConfig(backbone_config=T.TimmWrapperConfig(architecture="repvit_m1", model_args=REPVIT),
                                           **(dict(backbone_feature_sizes=levels) if smoke else {}))
            return T.EdgeTamConfig(vision_config=vision, prompt_encoder_config=dict(image_size=S))
    raise SystemExit(f"unknown family {family!r}: expected one of {', '.join(FAMILIES)}")

MODEL_CLASS = {"sam": "SamModel", "sam-hq": "SamHQModel", "sam2": "Sam2Model", "edgetam": "EdgeTamModel"}

def build_model(family:str, config, seed:int=0):
    "A randomly initialised model of `family`: encoders frozen, mask decoder trainable, in eval mode."
    import transformers
    cls = getattr(transformers, MODEL_CLASS[family], None)
    if cls is None: raise LookupError(f"transformers {transformers.__version__} has no {MODEL_CLASS[family]}")
    torch.manual_seed(seed)
    with local_repvit_config(): model = cls(config)
    for p in model.parameters(): p.requires_grad_(False)
    for p in model.mask_decoder.parameters(): p.requires_grad_(True)
    return model.eval()

def image_size(model) -> int:
    s = model.config.prompt_encoder_config.image_size
    return s[0] if isinstance(s, (list, tuple)) else s

def encode(model, family:str, pixel_values):
    "Run the encoder; return (features the decoder needs, extra forward kwargs), as plain tensors."
    out = model.get_image_embeddings(pixel_values)
    if family == "sam-hq":
        emb, inter = out
        return emb, {"intermediate_embeddings": [inter[0]]}  # the HQ decoder reads only the first global block's features
    return out, {}

def clone(x):
    "A normal (not inference-mode) copy of a tensor, list or dict of them."
    if torch.is_tensor(x): return x.clone()
    if isinstance(x, dict): return {k: clone(v) for k, v in x.items()}
    return [clone(v) for v in x]

def flat(x) -> list:
    if torch.is_tensor(x): return [x]
    if isinstance(x, dict): return [t for v in x.values() for t in flat(v)]
    return [t for v in x for t in flat(v)]

def cache_bytes_per_image(emb, kw, dtype=torch.float16) -> tuple:
    "Bytes an image's cache entry takes in `dtype`, and the shapes stored (one image)."
    tensors = flat(emb) + flat(kw)
    shapes = [tuple(t.shape[1:]) for t in tensors]
    return sum(math.prod(s) for s in shapes) * torch.finfo(dtype).bits // 8, shapes

def loss_fn(logits, targets):
    "BCE + soft Dice (squared), mean over instances: the cost of the trainer's DiceCE, written out so it compiles."
    logits, targets = logits.float(), targets.float()
    bce = torch.nn.functional.binary_cross_entropy_with_logits(logits, targets)
    p = logits.sigmoid()
    inter = (p * targets).flatten(1).sum(1)
    dice = 1 - (2 * inter + 1e-5) / ((p * p).flatten(1).sum(1) + (targets * targets).flatten(1).sum(1) + 1e-5)
    return bce + dice.mean()

def decoder_forward(model, emb, kw, boxes):
    "pred_masks (B, N, M, M) logits for one mask per box, from cached features."
    return model(image_embeddings=emb, input_boxes=boxes, multimask_output=False, **kw).pred_masks[:, :, 0]

# ------------------------------------------------------------------------------------------------ timing

def sync(device):
    if device.type == "cuda": torch.cuda.synchronize(device)

def rel_err(a, b) -> float:
    "||a - b|| / ||b|| over all tensors, in float64."
    a, b = flat(a), flat(b)
    num = sum(((x.detach().double().cpu() - y.detach().double().cpu()) ** 2).sum() for x, y in zip(a, b))
    den = sum((y.detach().double().cpu() ** 2).sum() for y in b)
    return (num.sqrt() / den.sqrt().clamp(min=1e-30)).item()

def time_calls(fn, device, min_s:float, min_reps:int, max_reps:int) -> list:
    "Seconds of each call of `fn` (already warm), synchronised: at least `min_reps`, until `min_s` or `max_reps`."
    times, t0 = [], time.perf_counter()
    while True:
        t = time.perf_counter(); fn(); sync(device); times.append(time.perf_counter() - t)
        if len(times) >= max_reps or (len(times) >= min_reps and time.perf_counter() - t0 >= min_s): return times

def parse_variant(spec:str) -> dict:
    "`precision/compile/batch[/cl]` -> dict (see the module docstring)."
    parts = spec.split("/")
    if len(parts) not in (3, 4) or parts[0] not in ("fp32", "amp", "bf16") or parts[1] not in ("eager", "default", "ro", "ma") \
       or not parts[2].isdigit() or (len(parts) == 4 and parts[3] != "cl"):
        raise SystemExit(f"variant {spec!r}: expected precision/compile/batch[/cl] with precision fp32|amp|bf16, "
                         "compile eager|default|ro|ma, e.g. amp/default/32")
    return dict(spec=spec, precision=parts[0], compile=parts[1], batch=int(parts[2]), channels_last=len(parts) == 4)

COMPILE_MODES = {"default": None, "ro": "reduce-overhead", "ma": "max-autotune-no-cudagraphs"}

def compiled(fn, v:dict, smoke:bool):
    "`fn` compiled as variant `v` asks (the smoke run uses the eager backend: it traces with dynamo but skips inductor)."
    if v["compile"] == "eager": return fn
    import torch._dynamo
    torch._dynamo.reset()
    if smoke: return torch.compile(fn, backend="eager")
    return torch.compile(fn, mode=COMPILE_MODES[v["compile"]])

def autocast(device, precision):
    return torch.autocast(device.type, dtype=torch.bfloat16) if precision == "amp" else contextlib.nullcontext()

# ------------------------------------------------------------------------------------------------ measurements

class Bench:
    "One family on one device: a master copy of the weights, fp32 eager references, and one measurement per variant."
    def __init__(self, a, family:str, device):
        self.a, self.family, self.device = a, family, device
        self.config = family_config(family, a.smoke)
        t = time.perf_counter()
        self.model = build_model(family, self.config, a.seed)
        self.build_s = time.perf_counter() - t
        self.S = image_size(self.model)
        g = torch.Generator().manual_seed(a.seed)
        n = max(a.ref_images, 1)
        self.pixels = torch.randn(n, 3, self.S, self.S, generator=g)  # normalised pixels are about N(0, 1)
        k, M = a.boxes, 4 * self.S // 16  # the low-res mask side of every family here: 256 at 1024 px
        xy = torch.rand(n, k, 2, generator=g) * self.S * 0.7
        wh = 0.1 * self.S + torch.rand(n, k, 2, generator=g) * self.S * 0.2
        self.boxes = torch.cat([xy, xy + wh], -1)
        self.targets = (torch.rand(n, k, M, M, generator=g) > 0.5).float()
        self.M = M
        self.model.to(device)
        with torch.inference_mode():
            emb, kw = encode(self.model, family, self.pixels.to(device))
        self.ref_emb, self.ref_kw = clone(emb), clone(kw)
        self.cache_bytes, self.cache_shapes = cache_bytes_per_image(emb, kw)
        with torch.no_grad():  # in training mode, as the step runs (SAM 2's decoder picks its output differently in eval mode)
            self.ref_pred = decoder_forward(self.model.train(), self.ref_emb, self.ref_kw, self.boxes.to(device)).float()
        self.model.eval()
        self.attn = getattr(self.model.config, "_attn_implementation", None)
        self.params = sum(p.numel() for p in self.model.parameters())
        self.encoder_params = sum(p.numel() for p in self.model.vision_encoder.parameters())
        self.decoder_params = sum(p.numel() for p in self.model.mask_decoder.parameters())

    def fresh_model(self, dtype=None):
        "A copy of the master model (same weights, on the device), in `dtype` when given."
        m = copy.deepcopy(self.model)
        return m.to(dtype=dtype) if dtype is not None else m

    def batch_of(self, t, b:int):
        "`t` (n, ...) repeated to b rows."
        reps = math.ceil(b / len(t))
        return t.repeat(reps, *([1] * (t.ndim - 1)))[:b]

    def encoder(self, v:dict) -> dict:
        "Encoder img/s of variant `v` on a batch of random 1024 px images; error vs fp32 eager on the reference images."
        dev, b = self.device, v["batch"]
        model = self.fresh_model(torch.bfloat16 if v["precision"] == "bf16" else None)
        dtype = torch.bfloat16 if v["precision"] == "bf16" else torch.float32
        pv = self.batch_of(self.pixels, b).to(dev, dtype)
        if v["channels_last"]: pv = pv.contiguous(memory_format=torch.channels_last); model.to(memory_format=torch.channels_last)
        fn = compiled(lambda x: encode(model, self.family, x), v, self.a.smoke)
        def run():
            with torch.inference_mode(), autocast(dev, v["precision"]): return fn(pv)
        t = time.perf_counter(); out = run(); sync(dev); first = time.perf_counter() - t
        n = min(len(self.pixels), b)
        err = rel_err([x[:n] for x in flat(out)], [x[:n] for x in flat(self.ref_emb) + flat(self.ref_kw)])
        times = time_calls(run, dev, self.a.min_s, self.a.min_reps, self.a.max_reps)
        del model, fn, out
        return dict(first_call_s=first, times_s=times, images=b, rel_err=err)

    def decoder(self, v:dict) -> dict:
        "Decoder training-step img/s of variant `v` (forward from cached features, loss, backward, AdamW step)."
        dev, b = self.device, v["batch"]
        if v["precision"] == "bf16": raise ValueError("the decoder trains in fp32 weights: use amp (bf16 autocast) for its fast path")
        model = self.fresh_model()
        emb = [self.batch_of(t, b) for t in flat(self.ref_emb)] if not torch.is_tensor(self.ref_emb) else self.batch_of(self.ref_emb, b)
        kw = {k: [self.batch_of(t, b) for t in val] for k, val in self.ref_kw.items()}
        boxes, targets = self.batch_of(self.boxes, b).to(dev), self.batch_of(self.targets, b).to(dev)
        params = [p for p in model.parameters() if p.requires_grad]
        opt = torch.optim.AdamW(params, lr=1e-5, **({"fused": True} if dev.type == "cuda" else {}))
        def forward_loss(emb, kw, boxes, targets):
            pred = decoder_forward(model, emb, kw, boxes)
            return loss_fn(pred.flatten(0, 1), targets.flatten(0, 1)), pred
        fn = compiled(forward_loss, v, self.a.smoke)
        mark = getattr(getattr(torch, "compiler", None), "cudagraph_mark_step_begin", None)
        model.train()
        def step():
            if v["compile"] == "ro" and mark: mark()
            with autocast(dev, v["precision"]): loss, pred = fn(emb, kw, boxes, targets)
            loss.backward(); opt.step(); opt.zero_grad(set_to_none=True)
            return loss, pred
        t = time.perf_counter(); loss, pred = step(); sync(dev); first = time.perf_counter() - t
        n = min(len(self.pixels), b)
        err = rel_err(pred[:n].float(), self.ref_pred[:n])  # the first step's forward ran on the master weights
        if not math.isfinite(loss.item()): raise FloatingPointError(f"the loss is {loss.item()}")
        times = time_calls(step, dev, self.a.min_s, self.a.min_reps, self.a.max_reps)
        del model, fn, opt, loss, pred
        return dict(first_call_s=first, times_s=times, images=b, rel_err=err)

# ------------------------------------------------------------------------------------------------ main

DEFAULT_PLAN = {  # part:variant in the order they run, by device; on a GPU the compiled ones (a minute each) by value
    "cpu": "enc:fp32/eager/1,dec:fp32/eager/1",
    "cuda": "enc:fp32/eager/8,enc:amp/eager/32,enc:bf16/eager/32,enc:bf16/eager/32/cl,dec:fp32/eager/32,dec:amp/eager/32,dec:amp/eager/128,"
            "dec:amp/default/32,enc:bf16/default/32,dec:amp/ro/32,dec:amp/default/128,enc:bf16/default/64,dec:amp/ro/128,"
            "enc:amp/default/32,enc:bf16/ma/32",
}
PARTS = {"enc": "encoder", "dec": "decoder"}

def parse_plan(plan:str) -> list:
    "`enc:VARIANT,dec:VARIANT,...` -> [(part, variant dict)] in that order."
    out = []
    for item in plan.split(","):
        part, _, spec = item.partition(":")
        if part not in PARTS: raise SystemExit(f"--plan item {item!r}: expected enc:VARIANT or dec:VARIANT")
        out.append((PARTS[part], parse_variant(spec)))
    return out

def load_line() -> str:
    "The machine's load as `uptime` says it (the CPU may be shared)."
    try: return subprocess.run(["uptime"], capture_output=True, text=True, timeout=5).stdout.strip()
    except Exception: return f"load average {os.getloadavg()}"

def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--families", default=",".join(FAMILIES), help=f"comma-separated, from {', '.join(FAMILIES)}")
    p.add_argument("--device", default="cpu", help="cpu | cuda")
    p.add_argument("--plan", default=None, help="what to measure, in order: enc:VARIANT or dec:VARIANT, comma-separated, "
                   "VARIANT = precision/compile/batch[/cl] (default: by device, see DEFAULT_PLAN)")
    p.add_argument("--plan-others", default=None, help="the plan of every family after the first (default: --plan)")
    p.add_argument("--eager-only", action="store_true", help="leave out the compiled variants")
    p.add_argument("--compiled-only", action="store_true", help="only the compiled variants (and what they are checked against)")
    p.add_argument("--boxes", type=int, default=4, help="box prompts an image")
    p.add_argument("--ref-images", type=int, default=None, help="distinct images (a larger batch repeats them); errors are over these (default: 1 on a CPU, else 2)")
    p.add_argument("--min-s", type=float, default=2.0, help="time each variant at least this long ...")
    p.add_argument("--min-reps", type=int, default=3, help="... and at least this many calls after the first")
    p.add_argument("--max-reps", type=int, default=50)
    p.add_argument("--threads", type=int, default=None, help="torch threads (default: torch's choice)")
    p.add_argument("--budget-s", type=float, default=None, help="skip a variant when less than its need is left of this budget")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", default=None, help="write the results as JSON (and .md beside it) after every variant")
    p.add_argument("--smoke", action="store_true", help="tiny sizes (128 px, fewest blocks), 2 images: every family in fp32 eager, every fast path on the first, compile with the eager backend")
    a = p.parse_args(argv)
    if a.ref_images is None: a.ref_images = 1 if a.device == "cpu" and not a.smoke else 2
    if a.smoke:
        a.min_s, a.min_reps, a.max_reps, a.threads = 0.0, 1, 1, a.threads or 1
        # every code path once, few bf16 calls: this CPU has no bf16 instructions (emulated, several times slower than fp32)
        if a.plan is None: a.plan = "enc:fp32/eager/2,dec:fp32/eager/2,enc:bf16/default/1/cl,dec:amp/ro/1"
    return a

def main(argv=None) -> int:
    a = parse_args(argv)
    t_start = time.monotonic()
    if a.device == "cuda" and not torch.cuda.is_available():
        print("families: no CUDA GPU on this machine (torch.cuda.is_available() is False); nothing measured."); return 0
    device = torch.device(a.device)
    if a.threads: torch.set_num_threads(a.threads)
    def keep(plan):
        if a.eager_only: plan = [(p, v) for p, v in plan if v["compile"] == "eager"]
        if a.compiled_only: plan = [(p, v) for p, v in plan if v["compile"] != "eager"]
        return plan
    plan = keep(parse_plan(a.plan or DEFAULT_PLAN["cuda" if device.type == "cuda" else "cpu"]))
    others = keep(parse_plan(a.plan_others)) if a.plan_others else plan
    if device.type == "cuda": torch.backends.cuda.matmul.allow_tf32 = torch.backends.cudnn.allow_tf32 = True
    info = machine(); info["uptime"] = load_line()
    print(f"{info['date']} | {info['cpu']} x{info['cpus']} (torch threads {info['torch_threads']}) | {info['uptime']} | GPU {info['gpu']} | "
          f"torch {info['torch']}, transformers {info['transformers']}", flush=True)
    res = dict(title=f"families: {'smoke (tiny sizes)' if a.smoke else 'real sizes, random weights'}, {device.type}",
               machine=info, args=vars(a), figures={}, rows=[], families={})
    def save():
        if a.out: write_results(res, a.out)
    def left(): return math.inf if a.budget_s is None else a.budget_s - (time.monotonic() - t_start)
    def need(v): return 5.0 if v["compile"] == "eager" or a.smoke or device.type != "cuda" else 75.0

    for i, family in enumerate(a.families.split(",")):
        fam = res["families"][family] = {}
        if i == 1: plan = others
        if a.smoke and i > 0 and not a.compiled_only:  # smoke: the fast paths on the first family, the others' own code in fp32 eager
            plan = [(p, v) for p, v in plan if v["spec"].startswith("fp32/eager")]
        print(f"\n[{family}]", flush=True)
        try:
            t = time.perf_counter(); b = Bench(a, family, device)
        except Exception as e:
            fam["error"] = f"{type(e).__name__}: {str(e)[:500]}"
            print(f"  could not build or run {family}: {fam['error']}", flush=True); traceback.print_exc(); save(); continue
        mb = b.cache_bytes / 2**20
        fam.update(params_m=b.params / 1e6, encoder_params_m=b.encoder_params / 1e6, decoder_params_m=b.decoder_params / 1e6,
                   attn_implementation=b.attn, image_size=b.S, mask_size=b.M, boxes=a.boxes, cache_bytes_per_image_fp16=b.cache_bytes,
                   cache_shapes=[list(s) for s in b.cache_shapes], build_s=b.build_s, setup_s=time.perf_counter() - t)
        fk = family.replace("-", "_")  # figure names are identifiers
        res["figures"][f"{fk}_cache_mib_per_image"] = mb
        print(f"  {b.params / 1e6:.1f} M parameters ({b.encoder_params / 1e6:.1f} M encoder, {b.decoder_params / 1e6:.2f} M mask decoder); "
              f"cache {mb:.2f} MiB an image in fp16 {b.cache_shapes}: {mb * 1e4 / 1024:.1f} GiB at 10k images, "
              f"{mb * 1e5 / 2**20:.2f} TiB at 100k", flush=True)
        save()
        for part, v in plan:
            row = dict(family=family, part=part, variant=v["spec"], batch=v["batch"])
            if left() < need(v):
                row["skipped"] = f"out of time ({left():.0f} s left of --budget-s {a.budget_s:g})"
                print(f"  {part:<7} {v['spec']:<18} skipped: {row['skipped']}", flush=True)
                res["rows"].append(row); save(); continue
            if device.type == "cuda": torch.cuda.empty_cache(); torch.cuda.reset_peak_memory_stats(device)
            try:
                r = getattr(b, part)(v)
                med, worst = statistics.median(r["times_s"]), max(r["times_s"])
                row.update(img_per_s=r["images"] / med, s_per_image=med / r["images"], s_per_image_worst=worst / r["images"],
                           first_call_s=r["first_call_s"], calls=len(r["times_s"]), rel_err=r["rel_err"])
                if device.type == "cuda": row["cuda_max_alloc_mib"] = torch.cuda.max_memory_allocated(device) / 2**20
                key = f"{fk}_{part}_{v['spec'].replace('/', '_')}"
                res["figures"][f"{key}_img_per_s"] = row["img_per_s"]
                res["figures"][f"{key}_s_per_image_worst"] = row["s_per_image_worst"]
                print(f"  {part:<7} {v['spec']:<18} {row['img_per_s']:9.4g} img/s ({row['s_per_image']:.4g} s an image, slowest call "
                      f"{row['s_per_image_worst']:.4g}); first call {row['first_call_s']:.2f} s; rel. error vs fp32 eager {row['rel_err']:.1e}", flush=True)
            except Exception as e:
                row["error"] = f"{type(e).__name__}: {str(e).strip()[:500]}"
                print(f"  {part:<7} {v['spec']:<18} FAILED: {row['error'][:300]}", flush=True)
                traceback.print_exc(limit=3)
            finally:
                gc.collect()
                if device.type == "cuda": torch.cuda.empty_cache()
            res["rows"].append(row); save()
        del b; gc.collect()

    print("\nFIGURES")
    for k, v in res["figures"].items(): print(f"{k} = {v:.6g}" if isinstance(v, float) else f"{k} = {v}")
    failed = sum("error" in r for r in res["rows"]) + sum("error" in d for d in res["families"].values())
    print(f"families: {sum('img_per_s' in r for r in res['rows'])} measurements, {failed} failed, "
          f"{sum('skipped' in r for r in res['rows'])} skipped; {time.monotonic() - t_start:.0f} s")
    if a.out: print("wrote", write_results(res, a.out))
    return 0

if __name__ == "__main__":
    sys.exit(main())
