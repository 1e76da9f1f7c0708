#!/usr/bin/env python
"""The GPU suite's figures against issue 18's anchors and goals, from the results files of one `bench/gpu.sh` run.

    python bench/gpu_summary.py bench/results      # reads gpu-families.json, gpu-compiled.json, gpu-suite.json there
Prints tables (Markdown); figures that are missing (a stage failed or ran out of time) are shown as such.
"""
import json, sys
from pathlib import Path

ANCHORS = dict(tutorial_bf16=78, encoder_eager=93, encoder_compiled=265, step_eager=660, step_compiled=1266)
GOALS = dict(speedup=12, step=1500, encode=400)

def load(folder:Path, name:str) -> dict:
    p = folder / f"{name}.json"
    try: return json.loads(p.read_text())
    except (OSError, ValueError): return {}

def best(rows:list, family:str, part:str, batch=None):
    "The fastest measured row of a family's part (at `batch` when given), or None."
    ok = [r for r in rows if r.get("family") == family and r.get("part") == part and "img_per_s" in r and (batch is None or r["batch"] == batch)]
    return max(ok, key=lambda r: r["img_per_s"], default=None)

def fmt(x, spec="{:.0f}"): return "not measured" if x is None else spec.format(x)

def summary(folder) -> str:
    folder = Path(folder)
    fam, comp, suite = load(folder, "gpu-families"), load(folder, "gpu-compiled"), load(folder, "gpu-suite")
    rows = fam.get("rows", []) + comp.get("rows", [])
    F = suite.get("figures", {})
    gpu = (suite or fam or comp).get("machine", {}).get("gpu")
    out = [f"# GPU suite summary ({gpu}; {(suite or fam or comp).get('machine', {}).get('date')})", ""]
    def v(r): return None if r is None else r["img_per_s"]
    def label(r): return "" if r is None else f" ({r['variant']})"
    enc_eager = best([r for r in rows if r["variant"].split("/")[1] == "eager"], "sam", "encoder")
    enc_best, step32, step_best = best(rows, "sam", "encoder"), best(rows, "sam", "decoder", 32), best(rows, "sam", "decoder")
    step32_eager = best([r for r in rows if r["variant"].split("/")[1] == "eager"], "sam", "decoder", 32)
    enc_pipe, enc_pkg = F.get("encode_pipelined_img_per_s"), F.get("encode_img_per_s")
    speed, cons = F.get("speedup_end_to_end"), F.get("speedup_end_to_end_conservative")
    # what ours would take with the fastest paths measured here: encoding (the better of the pipelined loader and the
    # package) + K decoder epochs at the best step rate, against the same tutorial figure
    proj = None
    if F.get("tutorial_total_s") and step_best and (enc_pipe or enc_pkg):
        n, K = suite["args"]["images"], F["epochs"]
        proj = F["tutorial_total_s"] / (n / max(enc_pipe or 0, enc_pkg or 0) + K * n / step_best["img_per_s"])
    met = lambda x, goal: "-" if x is None else ("yes" if x >= goal else "**no**")
    out += ["| figure | anchor (issue 18) | goal | measured | met |", "|---|---|---|---|---|",
            f"| tutorial recipe, bf16, batch 8 (img/s) | {ANCHORS['tutorial_bf16']} | | {fmt(F.get('tutorial_img_per_s'))} | |",
            f"| encoder, model only, best eager (img/s) | {ANCHORS['encoder_eager']} | | {fmt(v(enc_eager))}{label(enc_eager)} | |",
            f"| encoder, model only, best of all (img/s) | {ANCHORS['encoder_compiled']} | {GOALS['encode']} | {fmt(v(enc_best))}{label(enc_best)} | {met(v(enc_best), GOALS['encode'])} |",
            f"| one-time encoding, `cache_embeddings` (img/s) | | {GOALS['encode']} | {fmt(enc_pkg)} | {met(enc_pkg, GOALS['encode'])} |",
            f"| one-time encoding, preprocessing in loader workers (img/s) | | {GOALS['encode']} | {fmt(enc_pipe)} | {met(enc_pipe, GOALS['encode'])} |",
            f"| decoder step, batch 32, eager (img/s) | {ANCHORS['step_eager']} | | {fmt(v(step32_eager))}{label(step32_eager)} | |",
            f"| decoder step, batch 32, best (img/s) | {ANCHORS['step_compiled']} | {GOALS['step']} | {fmt(v(step32))}{label(step32)} | {met(v(step32), GOALS['step'])} |",
            f"| decoder step, any batch, best (img/s) | | {GOALS['step']} | {fmt(v(step_best))}{label(step_best)} | {met(v(step_best), GOALS['step'])} |",
            f"| ours, decoder epochs on the cache via the package's loader (img/s) | | | {fmt(F.get('ours_img_per_s'))} | |",
            f"| end to end, 10 epochs, 1000 images, the package as it is (x) | | {GOALS['speedup']} | {fmt(speed, '{:.2f}x')} (conservative {fmt(cons, '{:.2f}x')}) | {met(speed, GOALS['speedup'])} |",
            f"| end to end with the fastest paths above (projection, x) | | {GOALS['speedup']} | {fmt(proj, '{:.2f}x')} | {met(proj, GOALS['speedup'])} |",
            "", f"Projection of the suite: {F.get('projection', '-')}.", ""]
    fams = {**fam.get("families", {}), **{k: d for k, d in comp.get("families", {}).items() if k not in fam.get("families", {})}}
    if fams:
        out += ["| family | parameters (M) | cache MiB an image (fp16) | encoder img/s: eager best / best | decoder step img/s: eager best / best |",
                "|---|---|---|---|---|"]
        for f, d in fams.items():
            if "error" in d: out.append(f"| {f} | failed: {d['error'][:120]} | | | |"); continue
            eager = [r for r in rows if r["variant"].split("/")[1] == "eager"]
            out.append(f"| {f} | {d['params_m']:.1f} | {d['cache_bytes_per_image_fp16'] / 2**20:.2f} | "
                       f"{fmt(v(best(eager, f, 'encoder')))} / {fmt(v(best(rows, f, 'encoder')))}{label(best(rows, f, 'encoder'))} | "
                       f"{fmt(v(best(eager, f, 'decoder')))} / {fmt(v(best(rows, f, 'decoder')))}{label(best(rows, f, 'decoder'))} |")
    bad = [f"{r['family']} {r['part']} {r['variant']}: {r['error'][:200]}" for r in rows if "error" in r]
    bad += [f"sam_finetune {k}: {e[:200]}" for k, e in suite.get("errors", {}).items()]
    skipped = [f"{r['family']} {r['part']} {r['variant']}" for r in rows if "skipped" in r]
    if bad: out += ["", "Failed:"] + [f"- {b}" for b in bad]
    if skipped: out += ["", "Skipped (out of time): " + ", ".join(skipped)]
    return "\n".join(out)

if __name__ == "__main__":
    print("\n" + summary(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).resolve().parent / "results"))
