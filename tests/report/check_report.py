#!/usr/bin/python3
"""Checks an mlp HTML report against independent sources (render_test.sh).

page PAGE JSON_LOG EVAL_JSON IMAGES LABELS
    The page parses as XML; every line chart's values equal the --json-log
    lines' (float32 there); the heatmap's cells equal mlp-eval's confusion
    matrix; each mistake's image, decoded by PIL, equals the IDX test image it
    names, with that image's label as its true class and another as predicted;
    nothing is fetched from outside (every src is a data: URI, every href a
    fragment) and there is no script.
render SCREENSHOT CHROMIUM_LOG PAGE_URL
    Chromium logged no console message and loaded no file but the page; the
    screenshot is not blank and shows the charts' and heatmap's colours.
"""
import base64
import io
import json
import math
import struct
import sys
import xml.etree.ElementTree as ET

from PIL import Image

SVG = "{http://www.w3.org/2000/svg}"
XHTML = "{http://www.w3.org/1999/xhtml}"


def fail(message):
    sys.exit(f"check_report: {message}")


def read_idx(path):
    with open(path, "rb") as f:
        data = f.read()
    dims = data[3]
    shape = struct.unpack(">" + "I" * dims, data[4:4 + 4 * dims])
    return shape, data[4 + 4 * dims:]


def check_page(page, json_log, eval_json, images, labels):
    root = ET.parse(page).getroot()
    for element in root.iter():
        for attribute in ("src", "href"):
            value = element.get(attribute)
            if value is not None and not (value.startswith("data:image/png;base64,") or value.startswith("#")):
                fail(f"{page}: {element.tag} {attribute}={value[:60]} points outside the page")
        if element.tag.endswith("script"):
            fail(f"{page}: has a script")

    # Line charts against the JSON log (one object per epoch, float32 values).
    epochs = [json.loads(line) for line in open(json_log)]
    series = [e for e in root.iter(SVG + "polyline") if e.get("class") == "series"]
    names = sorted(e.get("data-name") for e in series)
    if names != sorted(["loss", "val_loss", "acc", "val_acc", "lr"]):
        fail(f"charted series {names}")
    for line in series:
        values = [float(v) for v in line.get("data-values").split()]
        logged = [e[line.get("data-name")] for e in epochs]
        if len(values) != len(logged) or any(abs(a - b) > 1e-6 * max(1.0, abs(b)) for a, b in zip(values, logged)):
            fail(f"{line.get('data-name')}: charted {values}, logged {logged}")
        points = line.get("points").split()
        if len(points) != len(values):
            fail(f"{line.get('data-name')}: {len(points)} points for {len(values)} values")

    # The heatmap against mlp-eval.
    evaluated = json.load(open(eval_json))
    matrix = evaluated["confusion_matrix"]
    cells = [e for e in root.iter(SVG + "rect") if e.get("class") == "cell"]
    if len(cells) != len(matrix) ** 2:
        fail(f"{len(cells)} heatmap cells for {len(matrix)} classes")
    for cell in cells:
        t, p, count = int(cell.get("data-true")), int(cell.get("data-predicted")), int(cell.get("data-count"))
        if matrix[t][p] != count:
            fail(f"heatmap cell ({t}, {p}) is {count}, mlp-eval counts {matrix[t][p]}")
    values = {td.get("data-name"): float(td.get("data-value")) for td in root.iter(XHTML + "td") if td.get("data-name")}
    for name in ("loss", "acc"):
        if not math.isclose(values[name], evaluated[name], rel_tol=1e-12):
            fail(f"evaluation {name} {values[name]}, mlp-eval {evaluated[name]}")

    # Mistakes: each image is the test image it names, truly misclassified, surest first.
    shape, pixels = read_idx(images)
    _, truth = read_idx(labels)
    rows, cols = shape[1], shape[2]
    figures = [f for f in root.iter(XHTML + "figure") if f.get("class") == "mistake"]
    if len(figures) != 32:
        fail(f"{len(figures)} mistakes shown")
    probabilities = [float(f.get("data-probability")) for f in figures]
    if probabilities != sorted(probabilities, reverse=True):
        fail("mistakes are not surest first")
    for figure in figures:
        index = int(figure.get("data-index"))
        img = figure.find(XHTML + "img")
        png = base64.b64decode(img.get("src").split(",", 1)[1])
        decoded = Image.open(io.BytesIO(png))
        expected = pixels[index * rows * cols:(index + 1) * rows * cols]
        if decoded.size != (cols, rows) or decoded.mode != "L" or decoded.tobytes() != expected:
            fail(f"mistake #{index}: the image is not test image {index}")
        if int(figure.get("data-true")) != truth[index] or int(figure.get("data-predicted")) == truth[index]:
            fail(f"mistake #{index}: labels {figure.get('data-true')} -> {figure.get('data-predicted')}, truth {truth[index]}")

    # Weight histograms: one per weight tensor of the three Dense layers, counting every weight.
    sizes = {"dense_1/kernel": 784 * 784, "dense_1/bias": 784, "dense_2/kernel": 784 * 100, "dense_2/bias": 100,
             "dense_3/kernel": 1000, "dense_3/bias": 10}
    histograms = {h.get("data-name"): h for h in root.iter(SVG + "svg") if h.get("class") == "histogram"}
    if sorted(histograms) != sorted(sizes):
        fail(f"histograms of {sorted(histograms)}")
    for name, size in sizes.items():
        if sum(int(c) for c in histograms[name].get("data-counts").split()) != size:
            fail(f"{name}: histogram counts do not add up to {size}")


def check_render(screenshot, log, url):
    for line in open(log, errors="replace"):
        if ":CONSOLE" in line:
            fail(f"console message: {line.strip()}")
        if "FileURLLoader::Start:" in line and line.split("FileURLLoader::Start:")[1].strip() != url:
            fail(f"the page loaded a file: {line.strip()}")
    image = Image.open(screenshot).convert("RGB")
    width, height = image.size
    colours = image.getcolors(maxcolors=1 << 20)
    white = sum(n for n, c in colours if c == (255, 255, 255))
    if white > 0.97 * width * height:
        fail(f"{screenshot} is blank ({white} of {width * height} pixels white)")
    present = {c for n, c in colours if n >= 20}
    for name, colour in (("the charts' blue line and the heatmap", (0, 114, 178)), ("the charts' orange line", (213, 94, 0))):
        if colour not in present:
            fail(f"{screenshot} does not show {name} {colour}")


if __name__ == "__main__":
    if len(sys.argv) == 7 and sys.argv[1] == "page":
        check_page(*sys.argv[2:])
    elif len(sys.argv) == 5 and sys.argv[1] == "render":
        check_render(*sys.argv[2:])
    else:
        sys.exit(__doc__)
