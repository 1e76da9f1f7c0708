"""Shared helpers of the bench scripts: environment, machine description, peak memory, timing."""
import datetime, json, os, platform, resource, shlex, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

def setup_env():
    "Keep every tool's cache inside the checkout and offline, as the Makefile does (only where not set already)."
    cache = ROOT / ".cache"
    for k, v in dict(YOLO_CONFIG_DIR=cache / "ultralytics", MPLCONFIGDIR=cache / "matplotlib", HF_HOME=cache / "huggingface",
                     TORCH_HOME=cache / "torch", HF_HUB_OFFLINE="1", YOLO_OFFLINE="1").items():
        os.environ.setdefault(k, str(v))
    if str(ROOT) not in sys.path: sys.path.insert(0, str(ROOT))

def cpu_model() -> str:
    "The CPU's model name from /proc/cpuinfo (or platform's guess elsewhere)."
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"): return line.split(":", 1)[1].strip()
    except OSError: pass
    return platform.processor() or platform.machine()

def machine() -> dict:
    "What ran the benchmark: CPU model and count, load average, GPU if any, library versions, date, command."
    import torch, transformers
    gpu = torch.cuda.get_device_name(0) if torch.cuda.is_available() else None
    return dict(cpu=cpu_model(), cpus=os.cpu_count(), torch_threads=torch.get_num_threads(),
                load_avg=[round(x, 2) for x in os.getloadavg()], gpu=gpu, torch=torch.__version__,
                transformers=transformers.__version__, python=platform.python_version(),
                date=datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
                command=" ".join(shlex.quote(a) for a in [Path(sys.executable).name] + sys.argv))

def reset_peak_rss():
    "Reset the kernel's peak-RSS counter of this process (VmHWM), so the next phase gets its own peak (Linux)."
    try: Path("/proc/self/clear_refs").write_text("5")
    except OSError: pass

def peak_rss_mib() -> float:
    "Peak resident memory of this process in MiB: VmHWM since the last reset (Linux), else getrusage's lifetime peak."
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"): return int(line.split()[1]) / 1024
    except OSError: pass
    r = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return r / 1024 if sys.platform != "darwin" else r / 2**20

def rss_mib() -> float:
    "Current resident memory of this process in MiB."
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"): return int(line.split()[1]) / 1024
    except OSError: pass
    return float("nan")

def write_results(results:dict, out):
    "Write `results` as JSON to `out` and a Markdown table of its figures beside it (same name, .md)."
    out = Path(out); out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2, default=str) + "\n")
    lines = [f"# {results.get('title', out.stem)}", ""]
    m = results.get("machine", {})
    lines += [f"- {k}: `{v}`" for k, v in m.items()] + ["", "| figure | value |", "|---|---|"]
    lines += [f"| {k} | {v} |" for k, v in results.get("figures", {}).items()]
    rows = results.get("rows")
    if isinstance(rows, list) and rows and isinstance(rows[0], dict):  # one table row per measurement
        cols = list(dict.fromkeys(k for r in rows for k in r if not isinstance(r[k], (list, dict))))
        fmt = lambda v: f"{v:.4g}" if isinstance(v, float) else str(v).replace("|", "/").replace("\n", " ")
        lines += ["", "| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
        lines += ["| " + " | ".join(fmt(r.get(c, "")) for c in cols) + " |" for r in rows]
    out.with_suffix(".md").write_text("\n".join(lines) + "\n")
    return out

def finish(results:dict, figures:dict, out):
    "End a run: the load after it into `results['settings']`, the figures printed, and the results written when `out` is given."
    results.setdefault("settings", {})["load_avg_after"] = [round(x, 2) for x in os.getloadavg()]
    print("\nFIGURES")
    for k, v in figures.items(): print(f"{k} = {v}")
    if out: print(write_results(results, out))
