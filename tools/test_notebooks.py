"""Run every notebook in nbs/ the way `nbdev_test` does, one result line each, then `N passed, N failed, N skipped`.

nbdev_test itself prints only "Success."; CI reads the closing count line, so we call nbdev's own
`test_nb` (same skip/force flags, same IN_TEST environment, same working directory) on each notebook
in a process of its own, a few at a time, and count.

The package is exported once before the run (`make test` runs tools/check_clean.py first); no notebook
exports, so no notebook rewrites the package while another one imports it.

Passed and failed count notebooks. Skipped counts checks: a notebook that cannot run a check here (no
Chromium, no Label Studio) appends one line with the reason to the file named by `NB_SKIPS_FILE`; each
line is one skipped check, listed with its notebook above the closing line.
Usage: python tools/test_notebooks.py [--flags slow] [--workers 2] [notebooks...]
"""
import argparse, os, subprocess, sys, time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from nbdev.config import get_config
from nbdev.doclinks import nbglob

THREADS = {}

RUNNER = """
import sys
from pathlib import Path
from nbdev.test import test_nb
ok, secs = test_nb(Path(sys.argv[1]), skip_flags=sys.argv[2].split(), force_flags=sys.argv[3].split(), basepath=sys.argv[4])
sys.exit(0 if ok else 1)
"""


def run_one(fn, skip, force, basepath, log_dir):
    "Test one notebook in a fresh process; its output goes to a log printed on failure."
    start = time.time()
    log = log_dir / (fn.stem + ".log")
    skips = log_dir / (fn.stem + ".skips")
    skips.unlink(missing_ok=True)
    with open(log, "w") as f:
        r = subprocess.run([sys.executable, "-c", RUNNER, str(fn), skip, force, str(basepath)], cwd=fn.parent, stdout=f,
                           stderr=subprocess.STDOUT, env={**os.environ, "IN_TEST": "1", "NB_SKIPS_FILE": str(skips), **THREADS})
    secs = time.time() - start
    ok = r.returncode == 0
    skipped = skips.read_text().splitlines() if skips.exists() else []
    print(f"{'PASS' if ok else 'FAIL'} {fn.name} ({secs:.0f} s)" + (f", {len(skipped)} check(s) skipped" if skipped else ""), flush=True)
    if not ok: print(log.read_text()[-6000:], flush=True)
    return ok, secs, skipped


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("paths", nargs="*", help="notebooks to run (default: all in nbs/)")
    ap.add_argument("--flags", default="", help="space-separated flags of cells to run that are normally skipped")
    ap.add_argument("--workers", type=int, default=int(os.environ.get("NB_WORKERS", 2)))
    a = ap.parse_args()
    cfg = get_config()
    files = [Path(p).absolute() for p in a.paths] if a.paths else [Path(f).absolute() for f in sorted(nbglob(cfg.nbs_path, as_path=True))]
    files = [f for f in files if not f.name.startswith("_")]
    if not files: sys.exit("No notebooks found to test.")
    skip = " ".join(set(cfg.tst_flags.split()) - set(a.flags.split()))
    log_dir = cfg.config_path / ".cache" / "test-logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    # one BLAS/torch thread pool per core between the notebooks running at once, not one per notebook per core
    workers = max(1, min(a.workers, len(files)))
    THREADS.update({v: str(max(1, (os.cpu_count() or 1) // workers)) for v in ("OMP_NUM_THREADS", "MKL_NUM_THREADS")})
    start = time.time()
    with ThreadPoolExecutor(workers) as pool:
        results = list(pool.map(lambda f: run_one(f, skip, a.flags, cfg.config_path, log_dir), files))
    failed = [f.name for f, (ok, _, _) in zip(files, results) if not ok]
    skipped = [f"skipped in {f.name}: {why}" for f, (_, _, whys) in zip(files, results) for why in whys]
    print(f"slowest: " + ", ".join(f"{f.name} {r[1]:.0f} s" for f, r in sorted(zip(files, results), key=lambda o: -o[1][1])[:5]))
    print(f"total {time.time() - start:.0f} s; logs in {log_dir}")
    if failed: print("failed: " + ", ".join(failed))
    for line in skipped: print(line)
    print(f"{len(files) - len(failed)} passed, {len(failed)} failed, {len(skipped)} skipped")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
