"""Prediction with box prompts: ours (`sam_masks_from_boxes`, what `YoloSamPredictor.refine` and `yolo-sam predict` use)
against the tools a user would pick instead, on the same images and the same boxes, in one run.

Tools, each in a subprocess of its own (peak RSS = the subprocess's VmHWM, model and images included):
- `ours`: `yolo_sam_training.evaluate.sam_masks_from_boxes`: each image encoded once, all its boxes in one decoder
  call, `--batch-size` images encoded at once, masks post-processed to the image size by the processor.
- `hf-loop`: the transformers tutorial's loop: per box, `processor(image, input_boxes=[[box]])` then `model(**inputs)`
  (the encoder runs again for every box) and `processor.post_process_masks`. Same model, same weights as ours: the
  masks must agree.
- `ultralytics`: Ultralytics' SAM `Predictor` (`ultralytics.models.sam`, what `SAM("sam_b.pt").predict(img, bboxes=...)`
  runs), one call per image with all its boxes, given a model built from Ultralytics' own builder with random
  weights (`build_sam_vit_b()` for the sam-vit-base architecture; for `tiny`, Ultralytics' modules at the tiny
  preset's sizes, since its builder only has the published sizes). `conf=0` and the IoU head's output bias raised, so
  that no mask is dropped on a random model's low scores (the work is the same as with trained weights).
Models: `tiny` (the package's test preset, 256 px input) and `base-random` (`SamModel(SamConfig())`, sam-vit-base,
1024 px input, random weights, the vision encoder's init range 0.02 as in `serve_latency.py`).

Also `--memory N ...`: peak RSS of `yolo-sam predict`'s path over N image files (tiny SAM, 4 fixed boxes an image in place of
YOLO's): `export_predictions(files, YoloSamPredictor.predict_files(files), ...)` as it streams ("streamed"), against the same
predictions gathered in a list before the export, as `yolo-sam predict` did before it streamed ("listed").

Usage: python bench/predict.py [--model tiny base-random] [--images 8] [--boxes-per-image 4] [--repeats 2] [--threads 1]
       python bench/predict.py --smoke
"""
import argparse, json, os, subprocess, sys, tempfile, time
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import ROOT, machine, setup_env, peak_rss_mib, rss_mib, write_results, finish

setup_env()
import numpy as np

TOOLS = ("ours", "hf-loop", "ultralytics")


def make_data(path:Path, n:int, k:int, size:tuple, seed:int=0) -> Path:
    "n random RGB images of `size` (W, H) with k random pixel boxes each, written to one .npz."
    w, h = size
    rng = np.random.default_rng(seed)
    images = rng.integers(0, 256, (n, h, w, 3), dtype=np.uint8)
    wh = rng.uniform(0.1, 0.4, (n, k, 2)) * [w, h]
    x0y0 = rng.uniform(0, 1, (n, k, 2)) * ([w, h] - wh)
    boxes = np.concatenate([x0y0, x0y0 + wh], -1).round().astype(np.float32)
    np.savez(path, images=images, boxes=boxes)
    return path


def hf_model(name:str):
    "The transformers model and processor under test, the same weights in every process."
    import torch
    from transformers import SamConfig, SamModel
    from yolo_sam_training import load_sam, sam_processor_for
    if name == "tiny": return load_sam("tiny", seed=0)
    torch.manual_seed(0)
    cfg = SamConfig(); cfg.vision_config.initializer_range = 0.02
    return SamModel(cfg).eval(), sam_processor_for(cfg)


def ultralytics_model(name:str):
    "Ultralytics' SAMModel with random weights: its builder's sam-vit-base, or its modules at the tiny preset's sizes."
    import torch
    from yolo_sam_training.formats import import_ultralytics
    import_ultralytics()
    torch.manual_seed(0)
    if name != "tiny":
        from ultralytics.models.sam.build import build_sam_vit_b
        m = build_sam_vit_b()   # no checkpoint: random weights, nothing downloaded
    else:
        from ultralytics.models.sam.modules.sam import SAMModel
        from ultralytics.models.sam.modules.encoders import ImageEncoderViT, PromptEncoder
        from ultralytics.models.sam.modules.decoders import MaskDecoder
        from ultralytics.models.sam.modules.transformer import TwoWayTransformer
        from yolo_sam_training.families import TINY_SAM
        s, w, L, heads = TINY_SAM["image_size"], TINY_SAM["hidden_size"], TINY_SAM["num_hidden_layers"], TINY_SAM["num_attention_heads"]
        enc = ImageEncoderViT(img_size=s, patch_size=16, embed_dim=w, depth=L, num_heads=heads, mlp_ratio=4, out_chans=w, qkv_bias=True,
                              norm_layer=partial(torch.nn.LayerNorm, eps=1e-6), use_rel_pos=True, window_size=8, global_attn_indexes=[L - 1])
        pe = PromptEncoder(embed_dim=w, image_embedding_size=(s // 16, s // 16), input_image_size=(s, s), mask_in_chans=16)
        dec = MaskDecoder(num_multimask_outputs=3, transformer=TwoWayTransformer(depth=2, embedding_dim=w, mlp_dim=4 * w, num_heads=heads),
                          transformer_dim=w, iou_head_depth=3, iou_head_hidden_dim=w)
        m = SAMModel(enc, pe, dec, pixel_mean=[123.675, 116.28, 103.53], pixel_std=[58.395, 57.12, 57.375]).eval()
    with torch.no_grad(): m.mask_decoder.iou_prediction_head.layers[-1].bias += 10   # scores > conf: no mask dropped
    return m


def run_tool(tool:str, model:str, data:Path, repeats:int, warmup:bool, batch_size:int) -> dict:
    "Run one tool on the data `repeats` times (in this process); seconds of each repeat, masks of the last, RSS."
    import torch
    d = np.load(data)
    images, boxes = list(d["images"]), list(d["boxes"])
    rss0 = rss_mib()
    if tool in ("ours", "hf-loop"):
        m, proc = hf_model(model)
        n_params = sum(p.numel() for p in m.parameters())
    if tool == "ours":
        from yolo_sam_training.evaluate import sam_masks_from_boxes
        def run(imgs, bxs): return sam_masks_from_boxes(m, proc, imgs, bxs, batch_size=batch_size)
    elif tool == "hf-loop":
        @torch.no_grad()
        def run(imgs, bxs):
            out = []
            for img, bb in zip(imgs, bxs):
                ms = []
                for b in bb:   # the tutorial: one processor call and one model call (encoder included) per box
                    inputs = proc(img, input_boxes=[[b.tolist()]], return_tensors="pt")
                    o = m(**inputs, multimask_output=False)
                    ms.append(proc.post_process_masks(o.pred_masks, inputs["original_sizes"], inputs["reshaped_input_sizes"])[0][0, 0].numpy())
                out.append(np.stack(ms))
            return out
    else:
        from ultralytics.models.sam import Predictor
        um = ultralytics_model(model)
        n_params = sum(p.numel() for p in um.parameters())
        s = um.image_encoder.img_size
        pred = Predictor(overrides=dict(conf=0.0, imgsz=s, verbose=False, save=False, device="cpu"))
        from yolo_sam_training.formats import ultralytics_threads
        with ultralytics_threads(torch.get_num_threads()):   # its set-up would put torch on its own count (1 on 2 cores): same threads as ours
            pred.setup_model(model=um, verbose=False)
        images = [np.ascontiguousarray(i[..., ::-1]) for i in images]   # Ultralytics takes cv2's BGR arrays (converted untimed)
        def run(imgs, bxs): return [pred(source=i, bboxes=b)[0].masks.data.numpy() for i, b in zip(imgs, bxs)]
    rss_model = rss_mib()
    if warmup: run(images[:1], [boxes[0][:1]])
    times = []
    for _ in range(repeats):
        t = time.perf_counter(); masks = run(images, boxes); times.append(time.perf_counter() - t)
    return dict(tool=tool, model=model, params_m=round(n_params / 1e6, 3), seconds=[round(x, 3) for x in times],
                images=len(images), boxes=int(sum(len(b) for b in boxes)), rss_start_mib=round(rss0), rss_model_mib=round(rss_model),
                peak_rss_mib=round(peak_rss_mib()), masks=[np.asarray(x, bool) for x in masks])


def worker(a):
    "The subprocess side: run one tool or one memory case, write its JSON (and masks) next to --result."
    import torch
    torch.set_num_threads(a.threads)
    if a.worker == "memory": return memory_case(a)
    r = run_tool(a.worker, a.model[0], Path(a.data), a.repeats, a.warmup, a.batch_size)
    masks = r.pop("masks")
    np.savez_compressed(Path(a.result).with_suffix(".npz"), **{f"m{i}": np.packbits(m) for i, m in enumerate(masks)},
                        shapes=np.array([m.shape for m in masks]))
    r["mask_shapes"] = [list(m.shape) for m in masks]
    r["threads"] = torch.get_num_threads()
    Path(a.result).write_text(json.dumps(r))


def memory_case(a):
    "Peak RSS of `yolo-sam predict`'s path over N image files (tiny SAM, fixed boxes): predictions streamed to the export, or listed first."
    from PIL import Image
    from yolo_sam_training import load_sam
    from yolo_sam_training.evaluate import YoloSamPredictor
    from yolo_sam_training.exporters import Instance, export_predictions
    from yolo_sam_training.formats import import_ultralytics
    import_ultralytics()
    from ultralytics import YOLO
    n, w, h = a.memory_n, *a.size
    boxes = np.array([[0.1 * w, 0.1 * h, 0.5 * w, 0.5 * h], [0.4 * w, 0.3 * h, 0.9 * w, 0.8 * h],
                      [0.2 * w, 0.5 * h, 0.6 * w, 0.95 * h], [0.6 * w, 0.05 * h, 0.95 * w, 0.4 * h]], np.float32)
    class FixedBoxes(YoloSamPredictor):   # YOLO's place: the same 4 boxes on every image (a random YOLO finds nothing)
        def detect(self, images): return [[Instance(0, 0.9, b, None) for b in boxes] for _ in images]
    m, proc = load_sam("tiny", seed=0)
    pred = FixedBoxes(YOLO("yolo11n-seg.yaml"), m, proc, class_ids=[0] * 80, class_names={0: "object"}, device="cpu")
    folder = Path(tempfile.mkdtemp(prefix="bench_predict_mem_"))
    rng = np.random.default_rng(0)
    files = []
    for i in range(n):
        files.append(folder / f"{i:05d}.png"); Image.fromarray(rng.integers(0, 256, (h, w, 3), dtype=np.uint8)).save(files[-1], compress_level=1)
    list(pred.predict_files(files[:1], workers=0))   # warm-up
    rss0, t = rss_mib(), time.perf_counter()
    stream = pred.predict_files(files, workers=1)
    out = export_predictions(files, stream if a.memory_mode == "streamed" else list(stream), folder / "out", "coco", pred.class_names)
    anns = len(json.loads(out.read_text())["annotations"])
    Path(a.result).write_text(json.dumps(dict(n=n, mode=a.memory_mode, rss_before_mib=round(rss0), peak_rss_mib=round(peak_rss_mib()),
                                              seconds=round(time.perf_counter() - t, 2), instances=anns,
                                              output_mib=round(out.stat().st_size / 2**20, 1))))


def spawn(args:list, threads:int, result:Path) -> dict:
    "Run this script as a worker in a fresh process with `threads` threads; its result."
    env = {**os.environ, "OMP_NUM_THREADS": str(threads), "MKL_NUM_THREADS": str(threads)}
    r = subprocess.run([sys.executable, __file__, *args, "--threads", str(threads), "--result", str(result)],
                       capture_output=True, text=True, env=env, cwd=ROOT)
    if r.returncode: raise RuntimeError(f"worker {' '.join(args)} failed ({r.returncode}):\n{r.stdout[-2000:]}\n{r.stderr[-4000:]}")
    return json.loads(result.read_text())


def load_masks(result:Path) -> list:
    d = np.load(result.with_suffix(".npz"))
    return [np.unpackbits(d[f"m{i}"], count=int(np.prod(s))).reshape(s).astype(bool) for i, s in enumerate(d["shapes"])]


def compare(model:str, rows:dict, tmp:Path, figures:dict):
    "Ratios ours / each peer (median, and conservative: ours' slowest repeat against the peer's fastest) and mask agreement."
    ours = rows["ours"]
    ips = lambda r, t: r["images"] / t
    for peer in [t for t in rows if t != "ours"]:
        p = rows[peer]
        figures[f"{model}_{peer.replace('-', '_')}_speedup"] = round(ips(ours, np.median(ours["seconds"])) / ips(p, np.median(p["seconds"])), 2)
        figures[f"{model}_{peer.replace('-', '_')}_speedup_conservative"] = round(ips(ours, max(ours["seconds"])) / ips(p, min(p["seconds"])), 2)
    for t, r in rows.items():
        figures[f"{model}_{t.replace('-', '_')}_img_per_s"] = round(ips(r, np.median(r["seconds"])), 4)
        figures[f"{model}_{t.replace('-', '_')}_peak_rss_mib"] = r["peak_rss_mib"]
        figures[f"{model}_{t.replace('-', '_')}_params_m"] = r["params_m"]
    if "hf-loop" in rows:
        a, b = load_masks(tmp / f"{model}-ours.json"), load_masks(tmp / f"{model}-hf-loop.json")
        same_shape = [x.shape for x in a] == [x.shape for x in b]
        diff = sum(int((x != y).sum()) for x, y in zip(a, b)) if same_shape else -1
        total = sum(x.size for x in a)
        figures[f"{model}_masks_same_shape_as_hf_loop"] = same_shape
        figures[f"{model}_mask_pixels_differing_from_hf_loop"] = diff
        figures[f"{model}_mask_pixels_differing_fraction"] = round(diff / total, 8) if diff >= 0 else -1
    if "ultralytics" in rows:
        u = rows["ultralytics"]
        figures[f"{model}_ultralytics_masks_returned"] = sum(s[0] for s in u["mask_shapes"])
        figures[f"{model}_ultralytics_mask_shape_matches"] = [s[1:] for s in u["mask_shapes"]] == [s[1:] for s in ours["mask_shapes"]]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--model", nargs="+", default=["tiny", "base-random"], choices=["tiny", "base-random"])
    ap.add_argument("--tools", nargs="+", default=list(TOOLS), choices=TOOLS)
    ap.add_argument("--images", type=int, default=8, help="images per model (tiny: --tiny-images)")
    ap.add_argument("--tiny-images", type=int, default=32)
    ap.add_argument("--boxes-per-image", type=int, default=4)
    ap.add_argument("--size", type=int, nargs=2, default=[1024, 768], metavar=("W", "H"))
    ap.add_argument("--repeats", type=int, default=2, help="timed passes over the images, per tool")
    ap.add_argument("--peer-repeats", type=int, default=None, help="repeats of the hf-loop (default: --repeats; it is 4x the encoder work)")
    ap.add_argument("--batch-size", type=int, default=4, help="ours: images encoded at once")
    ap.add_argument("--threads", type=int, default=1, help="torch threads of each worker")
    ap.add_argument("--memory", type=int, nargs="*", default=[8, 32], help="image counts of the memory check (none: skip it)")
    ap.add_argument("--smoke", action="store_true", help="tiny only, 2 images of 320x240, 1 repeat, the memory check at 3 images only (seconds)")
    ap.add_argument("--out", default=None, help="results .json (and .md beside it)")
    ap.add_argument("--worker", default=None, help=argparse.SUPPRESS)
    ap.add_argument("--data", help=argparse.SUPPRESS); ap.add_argument("--result", help=argparse.SUPPRESS)
    ap.add_argument("--warmup", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--memory-n", type=int, help=argparse.SUPPRESS); ap.add_argument("--memory-mode", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.worker: return worker(a)
    if a.smoke: a.model, a.tiny_images, a.size, a.repeats, a.memory = ["tiny"], 2, [320, 240], 1, [3]
    tmp = Path(tempfile.mkdtemp(prefix="bench_predict_"))
    load_before = [round(x, 2) for x in os.getloadavg()]
    results = {"title": "Prediction with box prompts: ours vs a transformers loop vs Ultralytics' SAM predictor", "machine": machine(),
               "settings": dict(models=a.model, tools=a.tools, size=a.size, boxes_per_image=a.boxes_per_image, repeats=a.repeats,
                                peer_repeats=a.peer_repeats or a.repeats, batch_size=a.batch_size, threads=a.threads, load_avg_before=load_before),
               "rows": [], "figures": {}}
    F = results["figures"]
    for model in a.model:
        n = a.tiny_images if model == "tiny" else a.images
        data = make_data(tmp / f"{model}.npz", n, a.boxes_per_image, tuple(a.size))
        rows = {}
        for tool in a.tools:
            reps = (a.peer_repeats or a.repeats) if tool == "hf-loop" else a.repeats
            extra = ["--warmup"] if model == "tiny" else []   # base: the first image's one-time costs are small against a 10 s encoder
            r = spawn(["--worker", tool, "--model", model, "--data", str(data), "--repeats", str(reps), "--batch-size", str(a.batch_size), *extra],
                      a.threads, tmp / f"{model}-{tool}.json")
            r["load_avg_after"] = [round(x, 2) for x in os.getloadavg()]
            rows[tool] = r
            print(f"{model} {tool}: {n} images x {a.boxes_per_image} boxes, {r['params_m']} M params, seconds {r['seconds']}, "
                  f"{n / np.median(r['seconds']):.3g} img/s, peak RSS {r['peak_rss_mib']} MiB, load {r['load_avg_after']}", flush=True)
            results["rows"].append({k: v for k, v in r.items() if k != "mask_shapes"} | {"img_per_s_median": round(n / np.median(r["seconds"]), 4),
                                    "img_per_s_slowest": round(n / max(r["seconds"]), 4), "img_per_s_fastest": round(n / min(r["seconds"]), 4)})
            if a.out: write_results(results, a.out)
        compare(model, rows, tmp, F)
    for n in a.memory:
        for mode in ("listed", "streamed"):
            r = spawn(["--worker", "memory", "--memory-n", str(n), "--memory-mode", mode, "--size", *map(str, a.size)], a.threads, tmp / f"mem-{n}-{mode}.json")
            print(f"memory: {n} images, predictions {mode}: peak RSS {r['peak_rss_mib']} MiB (before the loop {r['rss_before_mib']}), {r['seconds']} s, "
                  f"COCO file {r['output_mib']} MiB", flush=True)
            F[f"memory_{mode}_n{n}_peak_rss_mib"] = r["peak_rss_mib"]
            F[f"memory_{mode}_n{n}_rss_before_mib"] = r["rss_before_mib"]
            F[f"memory_{mode}_n{n}_coco_file_mib"] = r["output_mib"]
    if len(a.memory) >= 2:
        lo, hi = min(a.memory), max(a.memory)
        for mode in ("listed", "streamed"):
            F[f"memory_{mode}_growth_mib"] = F[f"memory_{mode}_n{hi}_peak_rss_mib"] - F[f"memory_{mode}_n{lo}_peak_rss_mib"]
    finish(results, F, a.out)


if __name__ == "__main__":
    main()
