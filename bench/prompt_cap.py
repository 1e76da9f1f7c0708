"""The IoU cost of capping the prompts per training step: 92's set-up (the packaged tiny SAM fixture, box prompts,
encoder frozen, cached, 4 epochs, lr 1e-3 constant, batches of 4 images, 128 images to fine-tune on, 64 held out),
trained with create_dataloaders(max_instances_per_batch=CAP) for each CAP; held-out box IoU of last/; one JSON line each.
usage: [EPOCHS=4] python bench/prompt_cap.py CAP[,CAP...] S,D [S,D ...]   (CAP 0 = no cap; S the split and training seed, D the data seed)
Results: bench/results/cpu-prompt-cap.md."""
import json, os, sys, tempfile, time
from pathlib import Path
import numpy as np, torch
from yolo_sam_training.data import make_synthetic_dataset, load_dataset_from_summary
from yolo_sam_training.preprocess import load_sam, cache_embeddings
from yolo_sam_training.split import split_dataset, create_dataloaders
from yolo_sam_training.train_sam import SamTrainConfig, train_sam_model
from yolo_sam_training.evaluate import evaluate_sam_on_boxes, evaluate_box_as_mask
from yolo_sam_training.pipeline import DEMO_SAM
torch.set_num_threads(1)
caps = [int(c) for c in sys.argv[1].split(",")]
for S, D in [(int(x.split(",")[0]), int(x.split(",")[1])) for x in sys.argv[2:]]:
    tmp = Path(tempfile.mkdtemp())
    ds = load_dataset_from_summary(make_synthetic_dataset(tmp / "data", n_images=192, seed=D))
    sp = split_dataset(ds, test_size=1 / 3, seed=S)
    train, held = ds.subset(sp["train"]), ds.subset(sp["val"])
    fixture, proc = load_sam(DEMO_SAM)
    cache = cache_embeddings(ds, fixture, proc, tmp / "cache")
    box = float(np.mean([r["iou"] for r in evaluate_box_as_mask(held)]))
    n_inst = sum(s.num_instances for s in train.samples)
    for cap in caps:
        t0, load0 = time.time(), os.getloadavg()[0]
        tdl, vdl = create_dataloaders(train, held, proc, batch_size=4, cache=cache, seed=S, max_instances_per_batch=cap or None)
        cfg = SamTrainConfig(num_epochs=int(os.environ.get("EPOCHS", 4)), learning_rate=1e-3, lr_schedule="none", encoder="freeze", seed=S, device="cpu", n_visualize=0)
        train_sam_model(tdl, vdl, tmp / f"run{cap}", config=cfg, model=load_sam(DEMO_SAM)[0], processor=proc, visualization_dir=False, progress=False)
        train_s = time.time() - t0
        tuned = load_sam(tmp / f"run{cap}" / "last")[0]
        iou = float(np.mean([r["iou"] for r in evaluate_sam_on_boxes(tuned, proc, held, progress=False)]))
        print(json.dumps(dict(S=S, D=D, cap=cap, epochs=cfg.num_epochs, train_images=len(train), train_instances=n_inst, fine_tuned=round(iou, 4),
                              box_as_mask=round(box, 4), train_s=round(train_s), load=[round(load0, 2), round(os.getloadavg()[0], 2)])), flush=True)
