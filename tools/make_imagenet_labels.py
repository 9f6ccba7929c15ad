#!/usr/bin/env python3
"""Write src/engine/labels/imagenet-labels.json: the 1000 ImageNet-1k class names in class-index order.

Source: torchvision's `_IMAGENET_CATEGORIES` (torchvision/models/_meta.py, BSD-3-Clause), read with `ast`
so torchvision need not import. Debian ships it as python3-torchvision; without installing it:
    apt-get download python3-torchvision && dpkg -x python3-torchvision_*.deb /tmp/tv
    python3 tools/make_imagenet_labels.py /tmp/tv/usr/lib/python3/dist-packages/torchvision/models/_meta.py
"""
import ast
import json
import pathlib
import sys

DEFAULT = "/usr/lib/python3/dist-packages/torchvision/models/_meta.py"
OUT = pathlib.Path(__file__).resolve().parent.parent / "src/engine/labels/imagenet-labels.json"


def main() -> None:
    source = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else DEFAULT).read_text()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "_IMAGENET_CATEGORIES" for t in node.targets
        ):
            names = ast.literal_eval(node.value)
            break
    else:
        sys.exit("_IMAGENET_CATEGORIES not found")
    assert len(names) == 1000, len(names)
    OUT.write_text(json.dumps(names, indent=0) + "\n")
    print(f"wrote {len(names)} labels to {OUT}")


if __name__ == "__main__":
    main()
