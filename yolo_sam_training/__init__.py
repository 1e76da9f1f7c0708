"""yolo-sam-training: fine-tune Segment Anything and Ultralytics YOLO on Label Studio exports.

The public API is here at the top level (`from yolo_sam_training import load_sam, train_sam_model`): every
public function and class of the step modules, looked up in nbdev's symbol index (`_modidx.py`, written by
`nbdev_export`) and imported on first use, so `import yolo_sam_training` (and `yolo-sam --help`) stays fast.
This file is written by hand (nbdev only updates `__version__`)."""
__version__ = "0.1.0"


def _public() -> dict:
    "{name: module} for every public top-level function and class of the package's modules, except the CLI's."
    from ._modidx import d
    names = {}
    for mod, syms in d["syms"].items():
        if mod == "yolo_sam_training.cli": continue
        for full in syms:
            name = full[len(mod) + 1:]
            if "." not in name and not name.startswith("_"): names.setdefault(name, mod)
    return names

def __getattr__(name):
    mod = _public().get(name)
    if mod is None: raise AttributeError(f"module 'yolo_sam_training' has no attribute {name!r}")
    import importlib
    return getattr(importlib.import_module(mod), name)

def __dir__(): return sorted([*globals(), *_public()])
