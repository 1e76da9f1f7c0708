"""Run a notebook as nbdev's test_nb does (skipping flagged cells unless named) and save its outputs in place.

    python tools/save_outputs.py nbs/NB.ipynb [slow]      # then: nbdev_clean
"""
import os, sys
from pathlib import Path
from execnb.nbio import read_nb, write_nb
from execnb.shell import CaptureShell
from nbdev.config import get_config
from nbdev.process import NBProcessor
fn = Path(sys.argv[1]).absolute(); force = set(sys.argv[2:])
skip = set(get_config().tst_flags.split()) - force
os.environ["IN_TEST"] = "1"
nb = read_nb(fn)
NBProcessor(fn, nb=nb, rm_directives=False)  # parses directives_, keeps them in the source
def no_eval(cell):
    if cell.cell_type != "code": return True
    if "nbdev_export" + "(" in cell.source: return True
    direc = getattr(cell, "directives_", {}) or {}
    if direc.get("eval:", [""])[0].lower() == "false": return True
    return bool(skip & direc.keys())
for cell in nb.cells:  # a cell that now prints nothing must not keep what it printed before (skipped cells keep theirs)
    if cell.cell_type == "code" and not no_eval(cell): cell.outputs = []
os.chdir(fn.parent)
CaptureShell(fn).run_all(nb, exc_stop=True, preproc=no_eval)
write_nb(nb, fn)
import subprocess; subprocess.run([sys.executable, str(Path(__file__).with_name("scrub_outputs.py")), str(fn)], check=True)  # no machine path in what is saved
print("saved", fn.name)
