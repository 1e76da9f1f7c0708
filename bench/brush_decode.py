"""Importing a large Label Studio export's brush masks: our RLE decoder (`yolo_sam_training.formats.decode_brush_rle`)
against label-studio-sdk's (`label_studio_sdk.converter.brush.decode_rle`), on the same RLE strings, in one run.

The RLEs are what an export of `--masks` brush results of `--size` images holds: filled ellipses and polygons (one
object each, as a trained model or an annotator paints them), soft-edged RGBA strokes (a coloured brush with
anti-aliased alpha, encoded as the canvas it is) and noisy masks (scattered pixels in a box, the worst case of a
run-length code), encoded with our `encode_brush_rle` (byte for byte what the sdk's encoder writes; 00b checks that).
They are written to a JSON file; each side reads it untimed and times only the decoding of every mask into an
`(H, W)` 0/1 mask (alpha >= 128): ours with `decode_brush_rle(rle, h, w)`, the sdk with what its converter does,
`np.reshape(decode_rle(rle), [h, w, 4])[:, :, 3]` (`decode_from_annotation`), then the same threshold.

label-studio-sdk pins an opencv that clashes with ours, so it lives in a venv of its own, outside the repository:

    python3 -m venv /some/where/venv-sdk && /some/where/venv-sdk/bin/pip install label-studio-sdk
    LS_SDK_PYTHON=/some/where/venv-sdk/bin/python python bench/brush_decode.py --out bench/results/cpu-brush-decode.json

Its decoder runs in a subprocess of that Python (this script, `--sdk-worker`), which writes its masks back; they must
equal ours. Without `LS_SDK_PYTHON` (or `--sdk-python`) only our side is measured and the comparison is reported as
skipped, with the reason.

Usage: python bench/brush_decode.py [--masks 500] [--size 1024 768] [--repeats 3] [--sdk-repeats 2] [--sdk-python PY]
       python bench/brush_decode.py --smoke
"""
import argparse, json, os, subprocess, sys, tempfile, time
from pathlib import Path

import numpy as np

KINDS = ("ellipse", "polygon", "soft", "noisy")


def timed_each(f, items:list) -> tuple:
    "`[f(x) for x in items]` and the seconds each call took."
    out, secs = [], []
    for x in items:
        t = time.perf_counter(); out.append(f(x)); secs.append(time.perf_counter() - t)
    return out, secs


def sdk_worker(rles:Path, result:Path, repeats:int):
    "Runs in label-studio-sdk's venv: decode every RLE as its converter does, time it, write the masks and the times."
    from label_studio_sdk.converter.brush import decode_rle
    from importlib.metadata import version
    items = json.loads(rles.read_text())
    def one(x): return (np.reshape(decode_rle(x["rle"]), [x["height"], x["width"], 4])[:, :, 3] >= 128).astype(np.uint8)
    times = []
    for _ in range(repeats):
        t = time.perf_counter(); masks, per_mask = timed_each(one, items); times.append(time.perf_counter() - t)
    np.savez_compressed(result.with_suffix(".npz"), **{f"m{i}": np.packbits(m) for i, m in enumerate(masks)})
    result.write_text(json.dumps({"seconds": times, "per_mask_s": per_mask, "sdk_version": version("label-studio-sdk"), "numpy": np.__version__,
                                  "python": sys.version.split()[0]}))


def make_masks(n:int, size:tuple, seed:int=0) -> list:
    "n masks of `size` (W, H), cycling through the kinds; each `(kind, mask or RGBA canvas)`."
    import cv2
    w, h = size
    rng = np.random.default_rng(seed)
    out = []
    for i in range(n):
        kind = KINDS[i % 10 // 4] if i % 10 < 8 else KINDS[2 + i % 10 - 8]   # 4 ellipses, 4 polygons, 1 soft, 1 noisy in 10
        m = np.zeros((h, w), np.uint8)
        c = rng.uniform(0.2, 0.8, 2) * [w, h]
        r = rng.uniform(0.05, 0.3, 2) * [w, h]
        if kind in ("ellipse", "soft"):
            cv2.ellipse(m, (int(c[0]), int(c[1])), (int(r[0]), int(r[1])), float(rng.uniform(0, 180)), 0, 360, 255, -1)
        elif kind == "polygon":
            k = int(rng.integers(5, 12))
            ang = np.sort(rng.uniform(0, 2 * np.pi, k))
            rad = rng.uniform(0.5, 1.0, (k, 1)) * r
            cv2.fillPoly(m, [np.round(c + rad * np.stack([np.cos(ang), np.sin(ang)], 1)).astype(np.int32)], 255)
        else:   # noisy: scattered pixels in a box of about 120 x 90
            x0, y0 = int(c[0] - 60), int(c[1] - 45)
            m[y0:y0 + 90, x0:x0 + 120] = (rng.random((90, 120)) < 0.3) * 255
        if kind == "soft":   # a red brush stroke with anti-aliased alpha, as the canvas holds it
            alpha = cv2.GaussianBlur(m, (7, 7), 2)
            m = np.dstack([np.where(alpha > 0, 255, 0), np.zeros_like(m), np.zeros_like(m), alpha]).astype(np.uint8)
        out.append((kind, m))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--masks", type=int, default=500)
    ap.add_argument("--size", type=int, nargs=2, default=[1024, 768], metavar=("W", "H"))
    ap.add_argument("--repeats", type=int, default=3, help="timed passes of our decoder over all masks")
    ap.add_argument("--sdk-repeats", type=int, default=2, help="timed passes of the sdk's decoder")
    ap.add_argument("--sdk-python", default=os.environ.get("LS_SDK_PYTHON"), help="python of a venv with label-studio-sdk (default: $LS_SDK_PYTHON)")
    ap.add_argument("--smoke", action="store_true", help="20 masks of 320x240, 1 repeat each (seconds)")
    ap.add_argument("--out", default=None, help="results .json (and .md beside it)")
    ap.add_argument("--sdk-worker", nargs=2, metavar=("RLES", "RESULT"), help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.sdk_worker: return sdk_worker(Path(a.sdk_worker[0]), Path(a.sdk_worker[1]), a.sdk_repeats)
    if a.smoke: a.masks, a.size, a.repeats, a.sdk_repeats = 20, [320, 240], 1, 1

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from _common import finish, machine, setup_env
    setup_env()
    from yolo_sam_training import decode_brush_rle, encode_brush_rle
    tmp = Path(tempfile.mkdtemp(prefix="bench_brush_"))
    w, h = a.size
    masks = make_masks(a.masks, (w, h))
    items = [{"kind": k, "rle": encode_brush_rle(m), "height": h, "width": w} for k, m in masks]
    truth = [(m[..., 3] if m.ndim == 3 else m) >= 128 for _, m in masks]
    rles = tmp / "rles.json"
    rles.write_text(json.dumps(items, separators=(",", ":")))
    rle_bytes = sum(len(x["rle"]) for x in items)
    mb = rle_bytes / 1e6
    kinds = {k: dict(masks=sum(x["kind"] == k for x in items), rle_bytes=sum(len(x["rle"]) for x in items if x["kind"] == k)) for k in KINDS}
    results = {"title": "Brush RLE decoding: ours vs label-studio-sdk's", "machine": machine(),
               "settings": dict(masks=a.masks, size=a.size, repeats=a.repeats, sdk_repeats=a.sdk_repeats, kinds=kinds,
                                rle_json_bytes=rles.stat().st_size, load_avg_before=[round(x, 2) for x in os.getloadavg()]),
               "figures": {}}
    F = results["figures"]
    F["masks"], F["rle_mb"], F["rle_json_mb"] = a.masks, round(mb, 3), round(rles.stat().st_size / 1e6, 3)
    print(f"{a.masks} masks of {w}x{h}: {mb:.2f} MB of RLE ({rles.stat().st_size / 1e6:.2f} MB as JSON); "
          + ", ".join(f"{k} {v['masks']} ({v['rle_bytes'] / max(v['masks'], 1) / 1e3:.1f} KB each)" for k, v in kinds.items()), flush=True)

    loaded = json.loads(rles.read_text())   # both sides decode lists parsed from the same JSON
    times = []
    for _ in range(a.repeats):
        t = time.perf_counter(); ours, per_mask = timed_each(lambda x: decode_brush_rle(x["rle"], x["height"], x["width"]), loaded); times.append(time.perf_counter() - t)
    assert all(np.array_equal(o.astype(bool), t) for o, t in zip(ours, truth)), "our decoder does not give back the encoded masks"
    F["ours_s"] = round(float(np.median(times)), 4)
    F["ours_mb_per_s"], F["ours_masks_per_s"] = round(mb / np.median(times), 3), round(a.masks / np.median(times), 1)
    F["ours_mb_per_s_slowest"] = round(mb / max(times), 3)
    print(f"ours: {times} s -> {F['ours_mb_per_s']} MB/s, {F['ours_masks_per_s']} masks/s", flush=True)

    why = None
    if not a.sdk_python: why = "no label-studio-sdk venv: set LS_SDK_PYTHON (or --sdk-python) to its python"
    elif not Path(a.sdk_python).exists(): why = f"label-studio-sdk's python {a.sdk_python} does not exist"
    if why is None:
        res = tmp / "sdk.json"
        r = subprocess.run([a.sdk_python, __file__, "--sdk-worker", str(rles), str(res), "--sdk-repeats", str(a.sdk_repeats)],
                           capture_output=True, text=True, env={**os.environ, "OMP_NUM_THREADS": "1"})
        if r.returncode and "No module named 'label_studio_sdk'" in r.stderr: why = f"{a.sdk_python} has no label-studio-sdk"
        elif r.returncode: raise RuntimeError(f"the sdk worker failed ({r.returncode}):\n{r.stderr[-3000:]}")
    if why is not None:
        print(f"SKIPPED: label-studio-sdk's decoder: {why}", flush=True)
        F["sdk"] = "skipped: " + why
    else:
        s = json.loads(res.read_text())
        d = np.load(res.with_suffix(".npz"))
        sdk = [np.unpackbits(d[f"m{i}"], count=h * w).reshape(h, w) for i in range(a.masks)]
        same = [np.array_equal(o, m) for o, m in zip(ours, sdk)]
        st = s["seconds"]
        F["sdk"] = f"label-studio-sdk {s['sdk_version']} (numpy {s['numpy']}, Python {s['python']})"
        F["sdk_s"] = round(float(np.median(st)), 4)
        F["sdk_mb_per_s"], F["sdk_masks_per_s"] = round(mb / np.median(st), 4), round(a.masks / np.median(st), 2)
        F["masks_identical"] = f"{sum(same)} / {len(same)}"
        F["all_identical"] = all(same)
        F["speedup"] = round(np.median(st) / np.median(times), 1)
        F["speedup_conservative"] = round(min(st) / max(times), 1)
        print(f"sdk: {[round(x, 3) for x in st]} s -> {F['sdk_mb_per_s']} MB/s, {F['sdk_masks_per_s']} masks/s; identical {F['masks_identical']}", flush=True)
        for k in KINDS:   # per kind, from each side's last pass
            sel = [i for i, x in enumerate(items) if x["kind"] == k]
            if not sel: continue
            o, q, kb = sum(per_mask[i] for i in sel), sum(s["per_mask_s"][i] for i in sel), kinds[k]["rle_bytes"] / 1e6
            F[f"{k}_ours_mb_per_s"], F[f"{k}_sdk_mb_per_s"], F[f"{k}_speedup"] = round(kb / o, 3), round(kb / q, 4), round(q / o, 1)
    finish(results, F, a.out)


if __name__ == "__main__":
    main()
