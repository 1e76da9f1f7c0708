#!/usr/bin/env python
"""Peak RSS of checking, loading, splitting and iterating the loaders over N synthetic images, for several N.

Each N runs in a fresh subprocess (so the peaks are independent): `check_dataset`, `load_dataset_from_summary`,
`split_dataset`, `create_dataloaders` (pixel path, the tiny model's processor; no model) and one pass over every
train and validation batch. Samples are records of paths and pixels are read on demand, so the peak should hardly
grow with N: the target is peak(N=2000) <= 1.2 x peak(N=200). Also the bytes per image that the dataset and the
loader's dataset hold (pickled, as a worker receives it) against the decoded pixels of an image: exact counts that show
eager loading at any N. Prints a `FIGURES` block of `name = value` lines.
"""
import argparse, json, subprocess, sys, tempfile, time, shutil
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import ROOT, setup_env, machine, peak_rss_mib, rss_mib, write_results
setup_env()

def child(folder:str, batch_size:int) -> dict:
    "Runs in the subprocess: the dataset pipeline over one folder; returns RSS figures in MiB."
    import torch
    from yolo_sam_training.data import check_dataset, load_dataset_from_summary
    from yolo_sam_training.preprocess import TINY_SAM, tiny_sam_config, sam_processor_for
    from yolo_sam_training.split import split_dataset, create_dataloaders
    torch.set_num_threads(1)
    processor = sam_processor_for(tiny_sam_config(**TINY_SAM))
    out = {"rss_after_imports_mib": rss_mib()}
    t = time.perf_counter()
    report = check_dataset(folder)
    assert not report.problems, report.summary()
    ds = load_dataset_from_summary(folder)
    out["peak_after_load_mib"] = peak_rss_mib()
    split = split_dataset(ds, test_size=0.2, seed=0)
    train, val = create_dataloaders(ds.subset(split["train"]), ds.subset(split["val"]), processor, batch_size=batch_size)
    n_img = n_inst = 0
    for loader in (train, val):
        for b in loader: n_img += len(b["ids"]); n_inst += int(b["box_valid"].sum())
    assert n_img == len(ds), f"iterated {n_img} images of {len(ds)}"
    out.update(images=len(ds), instances=n_inst, seconds=time.perf_counter() - t, peak_rss_mib=peak_rss_mib())
    # what the dataset and the loader's dataset (pickled into every worker) hold per image, against the decoded pixels
    # an eager dataset would hold: exact byte counts, which the RSS of a small N cannot show above its baseline
    import pickle
    out["dataset_bytes_per_image"] = len(pickle.dumps(ds)) / len(ds)
    out["loader_dataset_bytes_per_image"] = len(pickle.dumps(train.dataset)) / len(train.dataset)
    first = [ds[i] for i in range(min(8, len(ds)))]
    out["pixel_bytes_per_image"] = sum(x["image"].nbytes + x["masks"].nbytes for x in first) / len(first)
    return out

def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--sizes", type=int, nargs="+", default=[200, 2000], help="dataset sizes N (the first is the reference)")
    p.add_argument("--image-size", type=int, nargs=2, default=[64, 96], help="synthetic image side range")
    p.add_argument("--batch-size", type=int, default=8)
    p.add_argument("--workdir", default=None, help="where the datasets go (default: a temporary folder, removed)")
    p.add_argument("--out", default=None, help="write the figures as JSON (and .md beside it)")
    p.add_argument("--smoke", action="store_true", help="seconds-long check: N = 20 and 60")
    p.add_argument("--child", default=None, help=argparse.SUPPRESS)
    a = p.parse_args(argv)
    if a.child:
        print("CHILD " + json.dumps(child(a.child, a.batch_size))); return 0
    if a.smoke: a.sizes = [20, 60]
    from yolo_sam_training.data import make_synthetic_dataset
    info = machine()
    print(f"{info['date']} | {info['cpu']} x{info['cpus']} (load {info['load_avg']})", flush=True)
    work = Path(a.workdir) if a.workdir else Path(tempfile.mkdtemp(prefix="bench-mem-"))
    rows = {}
    try:
        for n in a.sizes:
            folder = work / f"synthetic{n}"
            t = time.perf_counter()
            if not (folder / "summary.json").exists():
                make_synthetic_dataset(folder, n_images=n, seed=0, size_range=tuple(a.image_size), max_instances=6)
            made = time.perf_counter() - t
            r = subprocess.run([sys.executable, __file__, "--child", str(folder), "--batch-size", str(a.batch_size)],
                               capture_output=True, text=True)
            line = [l for l in r.stdout.splitlines() if l.startswith("CHILD ")]
            if r.returncode or not line: raise SystemExit(f"N={n}: the measuring subprocess failed:\n{r.stderr[-3000:]}")
            rows[n] = json.loads(line[0][6:])
            m = rows[n]
            print(f"N={n:>5}: made in {made:.1f} s; {m['instances']} instances; after imports {m['rss_after_imports_mib']:.0f} MiB, "
                  f"peak after load+check {m['peak_after_load_mib']:.0f} MiB, peak after iterating the loaders "
                  f"{m['peak_rss_mib']:.0f} MiB ({m['seconds']:.1f} s)", flush=True)
    finally:
        if not a.workdir: shutil.rmtree(work, ignore_errors=True)
    ref, big = rows[a.sizes[0]], rows[a.sizes[-1]]
    F = {f"peak_rss_mib_n{n}": r["peak_rss_mib"] for n, r in rows.items()}
    F.update({f"growth_mib_n{n}": r["peak_rss_mib"] - r["rss_after_imports_mib"] for n, r in rows.items()})
    for key in ("dataset_bytes_per_image", "loader_dataset_bytes_per_image", "pixel_bytes_per_image"):
        F.update({f"{key}_n{n}": r[key] for n, r in rows.items()})
    F["peak_ratio"] = big["peak_rss_mib"] / ref["peak_rss_mib"]
    F["growth_ratio"] = F[f"growth_mib_n{a.sizes[-1]}"] / max(F[f"growth_mib_n{a.sizes[0]}"], 1e-9)
    print("\nFIGURES")
    print(f"  peak RSS N={a.sizes[-1]} / N={a.sizes[0]}: {F['peak_ratio']:.3f}x (target <= 1.2); growth above the imports: "
          f"{F['growth_ratio']:.2f}x ({F[f'growth_mib_n{a.sizes[0]}']:.0f} -> {F[f'growth_mib_n{a.sizes[-1]}']:.0f} MiB)")
    for k, v in F.items(): print(f"{k} = {v:.6g}")
    if a.out:
        print("wrote", write_results(dict(title=f"memory: N = {a.sizes}", machine=info, args=vars(a), figures=F, rows=rows), a.out))
    return 0

if __name__ == "__main__":
    sys.exit(main())
