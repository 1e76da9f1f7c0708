"""Latency of `yolo-sam serve`'s /predict for one image and one box: the first prompt on an image (SAM's encoder
runs) and the next prompt on the same image (the embedding LRU answers; SAM's decoder only).

The backend runs as users run it (`python -m yolo_sam_training.cli serve MODEL --threads T`), in a process of its
own on a loopback port; the image is served over HTTP on another loopback port, as Label Studio serves it. A
client sends Label Studio's interactive request (a rectangle in `params.context`) and times the answer. A
"first prompt" asks for the same image under a new URL each time (`?n=k`), so that the LRU misses; a "next
prompt" repeats one URL. Then, in this process, the same steps without HTTP: the encoder, SAM's decoder
(with the post-processing to the image size), the brush RLE of the mask and the JSON of the answer (orjson, as the server writes it), to show where
the time goes, in wall time and in CPU time of this process (on a loaded machine, CPU time is closer to what an idle
core would take). Random weights give noisy masks, whose RLE is long; a trained SAM's mask of one object is a blob:
the RLE and JSON are also timed on an ellipse of the image's size.

Models: `tiny` (the package's test preset) and `base-random`, the sam-vit-base architecture `SamModel(SamConfig())`
with random weights (the vision encoder's init range set to 0.02: transformers' default gives denormal,
slow activations). Random weights cost what trained ones cost.

Both decoder runtimes of `serve --runtime` are timed in the same run: `torch` (the model's eager call) and `onnx` (01c's
`OnnxSamDecoder`: the same graph run by ONNX Runtime).

Usage: python bench/serve_latency.py [--model tiny base-random] [--runtime torch onnx] [--requests 50] [--first-requests 50] [--threads 2] [--encoder-runs 3]
"""
import argparse, collections, contextlib, functools, json, os, socket, subprocess, sys, tempfile, threading, time
from http.server import ThreadingHTTPServer, SimpleHTTPRequestHandler
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import ROOT, machine, setup_env, write_results

setup_env()
import numpy as np
import httpx
import torch
from PIL import Image


def save_model(name:str, folder:Path) -> Path:
    "Write the model under test with `save_pretrained`, as a run's best/ would be; its folder."
    from transformers import SamConfig, SamModel
    from yolo_sam_training import load_sam, sam_processor_for
    if name == "tiny": model, processor = load_sam("tiny")
    else:
        cfg = SamConfig()
        cfg.vision_config.initializer_range = 0.02
        model, processor = SamModel(cfg), sam_processor_for(cfg)
    model.save_pretrained(folder); processor.save_pretrained(folder)
    return folder


def percentiles(ms:list) -> dict:
    if not len(ms): return {"n": 0}
    a = np.asarray(ms)
    return {"n": len(a), "p50_ms": round(float(np.percentile(a, 50)), 1), "p95_ms": round(float(np.percentile(a, 95)), 1),
            "min_ms": round(float(a.min()), 1), "max_ms": round(float(a.max()), 1)}


def free_port() -> int:
    with socket.socket() as s: s.bind(("127.0.0.1", 0)); return s.getsockname()[1]


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *a): pass


def measure_http(model_dir:Path, images_url:str, size:tuple, n_next:int, n_first:int, threads:int, runtime:str, log:Path) -> dict:
    "Start `yolo-sam serve` on the model and time /predict: next prompts (LRU hit) and first prompts (new URL)."
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "yolo_sam_training.cli", "serve", str(model_dir), "--port", str(port),
                               "--threads", str(threads), "--runtime", runtime, "--cache-size", "4", "--log-level", "warning"],
                              stdout=log.open("w"), stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    w, h = size
    config = ('<View><Image name="image" value="$image"/><BrushLabels name="tag" toName="image"><Label value="object"/></BrushLabels>'
              '<RectangleLabels name="box" toName="image" smart="true"><Label value="object"/></RectangleLabels></View>')
    rect = {"type": "rectanglelabels", "value": {"x": 30, "y": 25, "width": 35, "height": 40, "rotation": 0, "rectanglelabels": ["object"]}}
    body = lambda image_url: {"tasks": [{"id": 1, "data": {"image": image_url}}], "project": "1.1", "label_config": config,
                              "params": {"context": {"result": [rect]}}}
    try:
        for _ in range(600):
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{url}/health", timeout=5).status_code == 200: break
            if server.poll() is not None: raise RuntimeError(f"serve ended: {log.read_text()[-2000:]}")
            time.sleep(0.5)
        with httpx.Client(base_url=url, timeout=600) as c:
            def timed(image_url):
                t = time.perf_counter()
                r = c.post("/predict", json=body(image_url))
                ms = 1000 * (time.perf_counter() - t)
                r.raise_for_status()
                assert r.json()["results"][0]["result"][0]["original_width"] == w
                return ms
            first = [timed(f"{images_url}/image.png?n={k}") for k in range(n_first)]   # a new URL: the LRU misses
            timed(f"{images_url}/image.png?n=next")                                        # encode the one the next prompts use
            nxt = [timed(f"{images_url}/image.png?n=next") for _ in range(n_next)]
            health = c.get("/health").json()
    finally:
        os.killpg(server.pid, 15); server.wait(30)
    assert health["embedding_misses"] == n_first + 1 and health["embedding_hits"] == n_next, health
    return {"first_prompt": percentiles(first), "next_prompt": percentiles(nxt)}


def measure_steps(model_dir:Path, image:np.ndarray, n:int, threads:int, runtime:str, encoder_runs:int) -> dict:
    "The same work in process, step by step (wall and CPU ms): encoder, decoder with post-processing, brush RLE, JSON."
    from yolo_sam_training.label_studio import SamBackend, OrjsonResponse
    from yolo_sam_training import encode_brush_rle
    torch.set_num_threads(threads)
    be = SamBackend(model_dir, runtime=runtime)
    h, w = image.shape[:2]
    box = np.array([[0.30 * w, 0.25 * h, 0.65 * w, 0.65 * h]])
    yy, xx = np.mgrid[:h, :w]
    ellipse = ((yy - 0.45 * h) / (0.2 * h)) ** 2 + ((xx - 0.5 * w) / (0.2 * w)) ** 2 < 1
    wall, cpu = collections.defaultdict(list), collections.defaultdict(list)
    def timed(name, f):
        t, c = time.perf_counter(), time.process_time(); out = f()
        wall[name].append(1000 * (time.perf_counter() - t)); cpu[name].append(1000 * (time.process_time() - c))
        return out
    for k in range(encoder_runs): entry = timed("encoder", lambda: be.embedding(f"k{k}", lambda: image))
    if not encoder_runs:   # the decoder's cost does not depend on the embedding's values: skip the slow encoder
        c, size = be.model.config.vision_config.output_channels, be.model.config.prompt_encoder_config.image_embedding_size
        enc = be.processor(images=[image], return_tensors="pt")
        entry = {"embedding": {"image_embeddings": torch.randn(1, c, size, size, generator=torch.Generator().manual_seed(0)) * 0.5},
                 "original_size": (h, w), "reshaped_size": tuple(enc["reshaped_input_sizes"][0].tolist())}
    be.masks(entry, box)   # not timed: the ONNX graph is built on the first call (the HTTP figures' first prompt pays for it)
    for _ in range(n):
        masks, _ = timed("decoder_and_postprocess", lambda: be.masks(entry, box))
        rle = timed("brush_rle", lambda: encode_brush_rle(masks[0]))
        timed("json", lambda: OrjsonResponse({"rle": rle}).body)   # as the server writes it
        rle = timed("brush_rle_ellipse", lambda: encode_brush_rle(ellipse))
        timed("json_ellipse", lambda: OrjsonResponse({"rle": rle}).body)
    out = {k: {**percentiles(wall[k]), "cpu_p50_ms": round(float(np.median(cpu[k])), 1)} for k in wall}
    out["rle_bytes"] = {"model_mask": len(encode_brush_rle(masks[0])), "ellipse": len(rle)}
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--model", nargs="+", default=["tiny", "base-random"], choices=["tiny", "base-random"])
    ap.add_argument("--requests", type=int, default=50, help="next prompts timed per model")
    ap.add_argument("--first-requests", type=int, default=50, help="first prompts timed per model (each runs the encoder)")
    ap.add_argument("--encoder-runs", type=int, default=3, help="in-process encoder runs (0: a random embedding for the decoder)")
    ap.add_argument("--runtime", nargs="+", default=["torch", "onnx"], choices=["torch", "onnx"], help="the decoder runtimes of `serve --runtime`, each timed in this run")
    ap.add_argument("--threads", type=int, default=os.cpu_count() or 1, help="torch threads of the server")
    ap.add_argument("--size", type=int, nargs=2, default=[1024, 768], metavar=("W", "H"), help="image size")
    ap.add_argument("--out", default=str(ROOT / "bench" / "results" / "serve-latency.json"))
    a = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="serve_latency_"))
    rng = np.random.default_rng(0)
    w, h = a.size
    image = (rng.random((h, w, 3)) * 255).astype(np.uint8)
    (tmp / "images").mkdir()
    Image.fromarray(image).save(tmp / "images" / "image.png")
    images = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(tmp / "images")))
    threading.Thread(target=images.serve_forever, daemon=True).start()
    results = {"title": "yolo-sam serve: /predict latency, one image, one box", "machine": machine(),
               "settings": {"image": f"{w}x{h}", "server_threads": a.threads, "runtimes": a.runtime, "requests": a.requests, "first_requests": a.first_requests, "encoder_runs": a.encoder_runs,
                            "load_avg_before": [round(x, 2) for x in os.getloadavg()]},
               "models": {}, "figures": {}}
    for name, runtime in [(m, r) for m in a.model for r in a.runtime]:
        t0 = time.time()
        model_dir = tmp / name if (tmp / name).exists() else save_model(name, tmp / name)
        key, name = f"{name}/{runtime}", name
        r = measure_http(model_dir, f"http://127.0.0.1:{images.server_port}", (w, h), a.requests, a.first_requests, a.threads, runtime, tmp / f"{key}.log".replace("/", "-"))
        r["in_process"] = measure_steps(model_dir, image, min(a.requests, 20), a.threads, runtime, a.encoder_runs)
        r["load_avg_after"] = [round(x, 2) for x in os.getloadavg()]
        r["seconds"] = round(time.time() - t0)
        results["models"][key] = r
        print(key, json.dumps(r), flush=True)
        for kind in ("next_prompt", "first_prompt"):
            p = r[kind]
            if not p["n"]: continue
            results["figures"][f"{key}: {kind.replace('_', ' ')}, p50 / p95 (ms, n={p['n']})"] = f"{p['p50_ms']} / {p['p95_ms']}"
        s = r["in_process"]
        if "encoder" in s: results["figures"][f"{key}: in process, encoder p50 (ms)"] = s["encoder"]["p50_ms"]
        for k in ("decoder_and_postprocess", "brush_rle", "json", "brush_rle_ellipse", "json_ellipse"):
            results["figures"][f"{key}: in process, {k.replace('_', ' ')}, p50 wall / CPU (ms)"] = f"{s[k]['p50_ms']} / {s[k]['cpu_p50_ms']}"
        results["figures"][f"{key}: RLE bytes, model's mask / ellipse"] = f"{s['rle_bytes']['model_mask']} / {s['rle_bytes']['ellipse']}"
    for name in a.model:
        got = {r: results["models"][f"{name}/{r}"]["next_prompt"] for r in a.runtime}
        if {"torch", "onnx"} <= set(got):   # conservative: torch's fastest p50 against ONNX's p95
            t, o = got["torch"], got["onnx"]
            results["figures"][f"{name}: next prompt, torch / onnx, p50 ratio (conservative: torch p50 / onnx p95)"] = \
                f"{t['p50_ms'] / o['p50_ms']:.2f}x ({t['p50_ms'] / o['p95_ms']:.2f}x)"
        if name == "base-random":
            for r, p in got.items():
                results["figures"][f"goal: sam-vit-base next prompt < 100 ms (p95), {r}"] = f"{'met' if p['p95_ms'] < 100 else 'NOT met'} ({p['p95_ms']} ms)"
    images.shutdown()
    results["settings"]["load_avg_after"] = [round(x, 2) for x in os.getloadavg()]
    print(write_results(results, a.out))


if __name__ == "__main__":
    main()
