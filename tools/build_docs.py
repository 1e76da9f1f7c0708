"""Build the documentation site into _docs/ without Quarto: `python tools/build_docs.py [--out DIR]`.

`nbdev_docs` needs Quarto, which cannot be installed offline. We run nbdev's own docs processors on each
notebook (`processed_notebook` from make_readme.py: hidden cells dropped, directives honoured, show_doc
rendered), turn each into HTML with nbconvert's `basic` template (cells only: no MathJax, require.js or
widget scripts) inside a small page of our own with a sidebar (order from nbs/sidebar.yml), and write a
local stylesheet. Pages keep Quarto's names (`output-file`: 00_data.ipynb -> data.html), so links match
the Quarto site. Nothing on a page is fetched from another host.
"""
import argparse, html, re, sys
from pathlib import Path

import nbformat, yaml
from fastcore.docments import DocmentTbl, DocmentText, _bold, _list2row, _maybe_nm, _unwrap_sym
from nbconvert import HTMLExporter
from nbdev.config import get_config
from nbdev.showdoc import BasicMarkdownRenderer
from pygments.formatters import HtmlFormatter
from traitlets.config import Config

sys.path.insert(0, str(Path(__file__).resolve().parent))
from make_readme import processed_notebook


class _PlainSig(DocmentText):
    "A signature without the docment comments (they go in the table below it)."
    @property
    def params(self): return [(p, "") for p, _ in super().params]
    @property
    def _ret_str(self): return super()._ret_str.split(" # ")[0]


class _Table(DocmentTbl):
    "fastcore's docments table, with `|` (as in `str|None`) escaped so that a row keeps its columns."
    def _row(self, nm, props): return [_maybe_nm(o).replace("|", r"\|") for o in super()._row(nm, props)]
    @property
    def return_str(self):
        return _list2row(["**Returns**"] + [_bold(_maybe_nm(self.dm["return"][c]).replace("|", r"\|")) for c in self._columns])


class TableRenderer(BasicMarkdownRenderer):
    "nbdev's show_doc markdown, with the docments as a Type/Default/Details table under the signature."
    def __init__(self, sym, **kwargs):
        super().__init__(sym, **kwargs)
        try: self.tbl = _Table(_unwrap_sym(sym))
        except Exception: self.tbl = None  # builtins, objects without source: signature only
        if self.tbl is not None and self.tbl.has_docment: self.dm = _PlainSig(self.sym, maxline=self.maxline, docstring=False)
        else: self.tbl = None
    def _repr_markdown_(self): return super()._repr_markdown_() + (f"\n\n{self.tbl}" if self.tbl else "")


PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} – {site}</title><link rel="icon" href="data:,"><link rel="stylesheet" href="site.css"></head>
<body><nav class="sidebar"><a class="site" href="index.html">{site}</a><ul>{nav}</ul></nav>
<main><header><h1 class="title">{title}</h1><p class="description">{description}</p></header>
{body}
</main></body></html>
"""

CSS = """body { margin: 0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #212529; }
nav.sidebar { position: fixed; top: 0; bottom: 0; left: 0; width: 15rem; overflow-y: auto; padding: 1rem; background: #f8f9fa; border-right: 1px solid #dee2e6; box-sizing: border-box; }
nav.sidebar .site { font-weight: 600; font-size: 1.1rem; color: #212529; text-decoration: none; }
nav.sidebar ul { list-style: none; padding: 0; } nav.sidebar li { margin: .3rem 0; }
nav.sidebar li.active a { font-weight: 600; color: #212529; }
main { margin-left: 15rem; padding: 1rem 2.5rem; max-width: 60rem; }
a { color: #0d6efd; } h1.title { margin-bottom: 0; } .description { font-style: italic; opacity: .75; }
.anchor-link { visibility: hidden; margin-left: .3rem; text-decoration: none; } :hover > .anchor-link { visibility: visible; }
pre { background: #f6f8fa; padding: .6rem; overflow-x: auto; font-size: .85rem; }
code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
table { border-collapse: collapse; margin: .6rem 0; } th, td { border: 1px solid #dee2e6; padding: .25rem .6rem; text-align: left; }
img { max-width: 100%; } .output_area pre, .output pre { background: none; border-left: 2px solid lightsalmon; }
.output_markdown > hr + p { float: right; font-size: smaller; margin: 0; }  /* show_doc's [source] link */
.callout { border-left: 4px solid #0d6efd; background: #f0f6ff; padding: .1rem 1rem; margin: 1rem 0; }
"""


def sidebar_notebooks(nbs):
    "Notebook names in the order of nbs/sidebar.yml (sections flattened)."
    def walk(items):
        for it in items or []:
            if isinstance(it, str): yield it
            elif isinstance(it, dict): yield from ([it["href"]] if "href" in it else walk(it.get("contents")))
    return [n for n in walk(yaml.safe_load((nbs / "sidebar.yml").read_text())["website"]["sidebar"]["contents"]) if n.endswith(".ipynb")]


def _quarto_md(md):
    "Quarto-only markdown that nbconvert would print literally: link attributes, callout blocks."
    md = re.sub(r"(\]\([^)\s]*\))\{[^}\n]*\}", r"\1", md)
    md = re.sub(r"(?m)^:::+\s*\{\.callout[^}]*\}\s*$", '<div class="callout">\n', md)
    return re.sub(r"(?m)^:::+\s*$", "\n</div>", md)


def prepare(nb):
    "Front matter of a processed notebook, and its cells with Quarto's cell options applied."
    meta = {}
    if nb.cells and nb.cells[0].cell_type == "raw" and nb.cells[0].source.lstrip().startswith("---"):
        meta = yaml.safe_load(nb.cells.pop(0).source.strip().strip("-")) or {}
    cells = []
    for c in nb.cells:
        if c.cell_type == "markdown": c.source = _quarto_md(c.source)
        if c.cell_type != "code": cells.append(c); continue
        lines, opts = c.source.splitlines(), {}
        while lines and (m := re.match(r"\s*#\|\s*([\w-]+)\s*:?\s*(.*?)\s*$", lines[0])):
            opts[m[1].lower()] = m[2].lower(); lines.pop(0)
        c.source = "\n".join(lines)
        if opts.get("include") == "false": continue
        if opts.get("output") == "false": c.outputs = []
        c.outputs = [o for o in c.outputs if "application/vnd.jupyter.widget-view+json" not in o.get("data", {})]
        for o in c.outputs:
            for k in ("application/javascript", "application/vnd.jupyter.widget-state+json"): o.get("data", {}).pop(k, None)
            for k, v in o.get("data", {}).items():  # nbformat stores text as a list of lines; the exporter wants one string
                if isinstance(v, list): o["data"][k] = "".join(v)
            if isinstance(o.get("text"), list): o["text"] = "".join(o["text"])
            if "text/markdown" in o.get("data", {}): o["data"]["text/markdown"] = _quarto_md("".join(o["data"]["text/markdown"]))
        if opts.get("echo") == "false" or not c.source.strip(): c.metadata.setdefault("tags", []).append("remove_input")
        if c.source.strip() or c.outputs: cells.append(c)
    nb.cells = cells
    return meta


def build_site(out="_docs", quiet=False):
    "Render every notebook of nbs/sidebar.yml to `out`/NAME.html (index.ipynb -> index.html); return the pages."
    cfg = get_config()
    cfg["renderer"] = "build_docs.TableRenderer"  # show_doc reads this; set in memory only, for this build
    nbs, out = cfg.nbs_path, Path(out)
    out.mkdir(parents=True, exist_ok=True)
    pages = {}
    for name in sidebar_notebooks(nbs):
        if not quiet: print(f"processing {name}", flush=True)
        try: nb = processed_notebook(nbs / name)
        except Exception as e:  # nbdev_docs fails the same way; say why it happens
            raise RuntimeError(f"{name}: nbdev's docs processing failed: {e}\n(nbdev runs every cell that contains an "
                             "import, to make show_doc work: keep imports in the imports cell at the top.)") from e
        meta = prepare(nb)
        pages[name] = dict(nb=nb, title=meta.get("title", Path(name).stem), description=meta.get("description", ""),
                           file=meta.get("output-file", Path(name).stem + ".html"))
    links, site_url = {n: p["file"] for n, p in pages.items()}, f"{cfg.doc_host}{cfg.doc_baseurl}/"
    c = Config({"TagRemovePreprocessor": {"enabled": True, "remove_input_tags": {"remove_input"}}})
    exporter = HTMLExporter(config=c, template_name="basic", exclude_input_prompt=True, exclude_output_prompt=True,
                            embed_images=True)
    for name, p in pages.items():
        body, _ = exporter.from_notebook_node(p["nb"], resources={"metadata": {"path": str(nbs)}})
        body = re.sub(r'href="([\w.-]+\.ipynb)(#[^"]*)?"', lambda m: f'href="{links.get(m[1], m[1])}{m[2] or ""}"', body)
        body = body.replace(f'href="{site_url}', 'href="')  # nbdev's doc links point at the published site
        body = re.sub(r'(<h\d id="|class="anchor-link" href="#)([^"]+)', lambda m: m[1] + m[2].lower(), body)  # Quarto's ids
        nav = "".join(f'<li{" class=active" if n == name else ""}><a href="{q["file"]}">{html.escape(q["title"])}</a></li>'
                      for n, q in pages.items())
        (out / p["file"]).write_text(PAGE.format(title=html.escape(p["title"]), site=html.escape(cfg.title), nav=nav,
                                                 description=html.escape(p["description"]), body=body), encoding="utf-8")
    extra = (nbs / "styles.css").read_text() if (nbs / "styles.css").exists() else ""
    (out / "site.css").write_text(CSS + HtmlFormatter().get_style_defs(".highlight") + "\n" + extra, encoding="utf-8")
    return [out / p["file"] for p in pages.values()]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=None, help="output folder (default: doc_path of settings.ini, _docs)")
    a = ap.parse_args()
    out = a.out or get_config().doc_path
    pages = build_site(out)
    print(f"wrote {len(pages)} pages to {out}; open {Path(out) / 'index.html'}")


if __name__ == "__main__":
    main()
