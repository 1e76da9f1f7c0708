"""Train the tiny SAM on a synthetic dataset under torchrun, for the one-vs-two-process test of 03_train_sam.

    torchrun --nproc_per_node 2 tools/ddp_train_sam.py DATA RUN --cache CACHE [--epochs 4] [--lr 3e-3] [--batch-size 4]

On the CPU each process is a gloo rank (`Accelerator(cpu=True)` is MULTI_CPU under torchrun). The embedding
cache must exist already (build it before launching, so that ranks do not race to write it). Rank 0 writes
RUN/metrics.json: the validation metrics of the untrained model (gathered over all processes) and of the
trained one, with the number of processes. Training: the decoder only (frozen encoder, cached embeddings), at a
constant learning rate, so that a few epochs learn something the one- and two-process runs can be compared on.
"""
import argparse, json, os
from pathlib import Path

import torch

from yolo_sam_training.data import load_dataset_from_summary
from yolo_sam_training.preprocess import load_sam, cache_embeddings
from yolo_sam_training.split import split_dataset, create_dataloaders
from yolo_sam_training.sam_step import validate_one_epoch
from yolo_sam_training.train_sam import SamTrainConfig, make_accelerator, train_sam_model, read_results


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("data"); ap.add_argument("run"); ap.add_argument("--cache", required=True)
    ap.add_argument("--epochs", type=int, default=4); ap.add_argument("--batch-size", type=int, default=4)
    ap.add_argument("--lr", type=float, default=3e-3); ap.add_argument("--threads", type=int, default=1)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    ds = load_dataset_from_summary(a.data)
    split = split_dataset(ds, test_size=0.25, seed=0)
    model, processor = load_sam("tiny")
    cache = cache_embeddings(ds, model, processor, a.cache)
    if cache.encoded: raise SystemExit(f"{a.cache}: {cache.encoded} embeddings were missing; build the cache before launching")
    train_loader, val_loader = create_dataloaders(ds.subset(split["train"]), ds.subset(split["val"]), processor,
                                                  batch_size=a.batch_size, cache=cache)
    config = SamTrainConfig(num_epochs=a.epochs, learning_rate=a.lr, lr_schedule="none", device="cpu")
    acc = make_accelerator(config, train_loader)
    m, vl = acc.prepare(model, val_loader)
    initial = validate_one_epoch(m, vl, accelerator=acc)
    model = acc.unwrap_model(m)
    train_sam_model(train_loader, val_loader, a.run, config=config, model=model, processor=processor, visualization_dir=False,
                    progress=False)
    if int(os.environ.get("RANK", 0)) == 0:
        last = read_results(a.run)[-1]
        out = dict(num_processes=int(os.environ.get("WORLD_SIZE", 1)), initial=initial,
                   final=dict(loss=last["val_loss"], iou=last["val_iou"], dice=last["val_dice"]), train_loss=last["train_loss"])
        Path(a.run, "metrics.json").write_text(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
