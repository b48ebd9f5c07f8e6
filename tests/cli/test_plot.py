"""The `embtool plot` contract: both forms, every word source, outputs, fonts, and clean errors."""

import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from embtool import load_vectors
from embtool.cli import app
from embtool.cli.plot import _join_analogies
from embtool.projection import map_words
from embtool.vectors import save_vectors
from tests.helpers import FIXTURES, TOY_PATH, run_embtool

runner = CliRunner()
TOY = str(TOY_PATH)
ZH = str(FIXTURES / "zh_toy.txt")
PNG = b"\x89PNG\r\n\x1a\n"


def invoke(*args, input=None, env=None):
    return runner.invoke(app, list(args), input=input, env=env)


def coords(result) -> dict:
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def one_line_error(result, code: int, start: str) -> str:
    assert result.exit_code == code, (result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"error: {start}"), lines[0]
    assert result.stdout == ""
    return lines[0]


def test_words_form_writes_png_and_reports_path_on_stderr(tmp_path):
    out = tmp_path / "royal.png"
    result = invoke("plot", "king", "queen", "man", "woman", "--vectors", TOY, "-o", str(out))
    assert result.exit_code == 0, result.stderr
    assert out.read_bytes().startswith(PNG)
    assert result.stdout == ""
    assert result.stderr.strip() == f"wrote {out} (4 words, PCA)"


def test_default_form_equals_explicit_words_subcommand():
    a = coords(invoke("plot", "king", "queen", "apple", "--vectors", TOY, "-f", "json"))
    b = coords(invoke("plot", "words", "king", "queen", "apple", "--vectors", TOY, "-f", "json"))
    c = coords(invoke("plot", "--vectors", TOY, "-f", "json", "king", "queen", "apple"))
    assert a == b == c


def test_json_coordinates_equal_the_library(toy_store):
    words = ["king", "queen", "man", "woman", "apple"]
    data = coords(
        invoke(
            "plot", *words, "--vectors", TOY, "-f", "json", "-a", "king", "man", "woman", "queen"
        )
    )
    wm = map_words(toy_store, words, analogies=[["king", "man", "woman", "queen"]])
    assert [p["word"] for p in data["points"]] == words
    np.testing.assert_allclose([[p["x"], p["y"]] for p in data["points"]], wm.coords)
    assert data["method"] == "pca"
    assert data["explained_variance_ratio"] == pytest.approx(
        list(wm.projection.explained_variance_ratio)
    )
    assert data["fit_size"] == 5
    assert data["output"] is None
    (quad,) = data["analogies"]
    assert quad["words"] == ["king", "man", "woman", "queen"]
    # king - man + woman = queen exactly in the toy vectors.
    queen = data["points"][1]
    assert (quad["predicted"]["x"], quad["predicted"]["y"]) == pytest.approx(
        (queen["x"], queen["y"])
    )


@pytest.mark.parametrize(
    "analogy_args",
    [
        ["--analogy", "king", "man", "woman", "queen"],
        ["-a", "king", "man", "woman", "queen"],
        ["--analogy", "king man woman queen"],
        ["--analogy=king,man,woman,queen"],
    ],
)
def test_analogy_spellings(analogy_args):
    data = coords(invoke("plot", "--vectors", TOY, "-f", "json", *analogy_args, "apple"))
    assert [p["word"] for p in data["points"]] == ["apple", "king", "man", "woman", "queen"]
    assert data["analogies"][0]["words"] == ["king", "man", "woman", "queen"]


def test_repeated_analogies_draw_each_parallelogram(tmp_path):
    out = tmp_path / "two.svg"
    result = invoke(
        "plot", "--vectors", TOY, "-o", str(out), "-f", "json",
        "--analogy", "king", "man", "woman", "queen",
        "--analogy", "prince", "man", "woman", "princess",
    )  # fmt: skip
    data = coords(result)
    assert [a["words"][0] for a in data["analogies"]] == ["king", "prince"]
    svg = out.read_text()
    assert svg.count('id="analogy-arrow') == 4 and svg.count('id="predicted-label') == 2


def test_join_analogies_keeps_other_arguments():
    args = ["x", "--analogy", "a", "b", "c", "d", "y", "-a", "e", "f", "--out", "p.png"]
    assert _join_analogies(args) == [
        "x", "--analogy", "a b c d", "y", "-a", "e f", "--out", "p.png",
    ]  # fmt: skip
    assert _join_analogies(["--", "--analogy", "a"]) == ["--", "--analogy", "a"]


def test_analogy_with_three_words_is_a_usage_error():
    result = invoke("plot", "--vectors", TOY, "-f", "json", "--analogy", "king", "man", "woman")
    line = one_line_error(result, 2, "--analogy needs 4 words A B C D")
    assert line.endswith("got 3: king man woman")


def test_stdin_words_and_dash():
    a = coords(
        invoke("plot", "--vectors", TOY, "-f", "json", input="king queen\nman\n# x\nwoman\n")
    )
    b = coords(invoke("plot", "-", "--vectors", TOY, "-f", "json", input="king queen man woman"))
    assert [p["word"] for p in a["points"]] == ["king", "queen", "man", "woman"]
    assert a == b


def test_words_file_top_and_fit_on(tmp_path, toy_store):
    wf = tmp_path / "words.txt"
    wf.write_text("# royals\nking\nqueen\n", encoding="utf-8")
    data = coords(invoke("plot", "--vectors", TOY, "-f", "json", "--words-file", str(wf)))
    assert [p["word"] for p in data["points"]] == ["king", "queen"]
    data = coords(invoke("plot", "--vectors", TOY, "-f", "json", "--top", "5"))
    assert [p["word"] for p in data["points"]] == toy_store.words[:5]
    data = coords(invoke("plot", "king", "--vectors", TOY, "-f", "json", "--fit-on", "top:8"))
    wm = map_words(toy_store, ["king"], fit_on=8)
    np.testing.assert_allclose([[data["points"][0]["x"], data["points"][0]["y"]]], wm.coords)
    assert data["fit_size"] == 8


def test_groups_inline_json_and_tsv(tmp_path):
    gj = tmp_path / "groups.json"
    gj.write_text(json.dumps({"royal": ["king", "queen"]}), encoding="utf-8")
    gt = tmp_path / "groups.tsv"
    gt.write_text("word\tgroup\napple\tfruit\norange\tfruit\n", encoding="utf-8")
    data = coords(
        invoke("plot", "car", "--vectors", TOY, "-f", "json",
               "-g", str(gj), "-g", str(gt), "--group", "places=paris,france")
    )  # fmt: skip
    groups = {p["word"]: p["group"] for p in data["points"]}
    assert groups == {
        "car": None, "king": "royal", "queen": "royal", "apple": "fruit", "orange": "fruit",
        "paris": "places", "france": "places",
    }  # fmt: skip


def test_word_and_group_files_with_a_byte_order_mark(tmp_path):
    wf = tmp_path / "w.txt"
    wf.write_text("\ufeff北京 上海\r\n东京\r\n", encoding="utf-8")
    gj = tmp_path / "g.json"
    gj.write_text('\ufeff{"欧洲": ["巴黎", "伦敦"]}', encoding="utf-8")
    gt = tmp_path / "g.tsv"
    gt.write_text("\ufeffword\tgroup\n法国\t国家\n", encoding="utf-8")
    data = coords(
        invoke(
            "plot", "--vectors", ZH, "-f", "json", "--words-file", str(wf),
            "-g", str(gj), "-g", str(gt),
        )
    )  # fmt: skip
    assert [(p["word"], p["group"]) for p in data["points"]] == [
        ("北京", None), ("上海", None), ("东京", None),
        ("巴黎", "欧洲"), ("伦敦", "欧洲"), ("法国", "国家"),
    ]  # fmt: skip


def test_neighbors_form_a_group():
    data = coords(invoke("plot", "--vectors", TOY, "-f", "json", "--neighbors", "king", "-k", "2"))
    assert [(p["word"], p["group"]) for p in data["points"]] == [
        ("king", "king"), ("prince", "king"), ("the", "king"),
    ]  # fmt: skip


def test_tsne_note_and_tsv(tmp_path):
    result = invoke(
        "plot", "--vectors", TOY, "--top", "6", "-m", "tsne", "--seed", "1", "-f", "tsv"
    )
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.strip().split("\n")
    assert lines[0].split("\t") == ["word", "x", "y", "group", "kind"]
    assert len(lines) == 7
    assert "note: t-SNE perplexity 30 is too large for 6 points; using 1.66667" in result.stderr


@pytest.mark.parametrize("ext", ["png", "svg", "pdf"])
def test_each_image_type_and_coords_file(tmp_path, ext):
    out = tmp_path / f"p.{ext}"
    cj = tmp_path / "c.json"
    ct = tmp_path / "c.tsv"
    for c in (cj, ct):
        result = invoke(
            "plot", "king", "queen", "man", "--vectors", TOY, "-o", str(out), "--coords", str(c),
            "--dpi", "72", "--size", "4x3", "--title", "t",
        )  # fmt: skip
        assert result.exit_code == 0, result.stderr
        assert f"wrote {c} (coordinates)" in result.stderr
    assert out.stat().st_size > 500
    data = json.loads(cj.read_text())
    assert [p["word"] for p in data["points"]] == ["king", "queen", "man"]
    assert data["output"] == str(out)
    rows = [line.split("\t") for line in ct.read_text().strip().split("\n")]
    assert rows[0] == ["word", "x", "y", "group", "kind"]
    assert [r[0] for r in rows[1:]] == ["king", "queen", "man"]
    assert float(rows[1][1]) == pytest.approx(data["points"][0]["x"])


def test_png_size_follows_dpi_and_size(tmp_path):
    out = tmp_path / "p.png"
    result = invoke("plot", "king", "queen", "--vectors", TOY, "-o", str(out),
                    "--dpi", "50", "--size", "4x3")  # fmt: skip
    assert result.exit_code == 0, result.stderr
    header = out.read_bytes()[16:24]
    assert (int.from_bytes(header[:4], "big"), int.from_bytes(header[4:], "big")) == (200, 150)


def test_chinese_labels_render_without_glyph_warnings(tmp_path):
    out = tmp_path / "zh.png"
    words = ["北京", "东京", "中国", "日本"]
    analogy = ["-a", "北京", "中国", "日本", "东京"]
    result = invoke(
        "plot", *words, "--vectors", ZH, "-o", str(out), *analogy, "-f", "json", "--title", "首都"
    )
    data = coords(result)
    assert "Glyph" not in result.stderr and "missing" not in result.stderr
    assert result.stderr.strip() == f"wrote {out} (4 words, PCA)"
    assert data["fonts"][-1] == "WenQuanYi Micro Hei"
    assert out.read_bytes().startswith(PNG)


def test_font_option_and_env(tmp_path):
    from embtool.plotting import bundled_font_path

    out = tmp_path / "zh.png"
    font = str(bundled_font_path())
    data = coords(invoke("plot", "北京", "东京", "--vectors", ZH, "-o", str(out),
                         "--font", font, "-f", "json"))  # fmt: skip
    assert data["fonts"][0] == "WenQuanYi Micro Hei"
    result = invoke("plot", "北京", "东京", "--vectors", ZH, "-o", str(out), "-f", "json",
                    env={"EMBTOOL_FONT": str(tmp_path / "nope.ttf")})  # fmt: skip
    one_line_error(result, 1, f"font {tmp_path / 'nope.ttf'}: no such file")


def test_missing_glyphs_give_one_note(tmp_path, monkeypatch):
    monkeypatch.setattr("embtool.plotting.bundled_font_path", lambda: tmp_path / "none.ttc")
    monkeypatch.setattr("embtool.plotting.installed_fonts", lambda only_cjk=True: [])
    out = tmp_path / "boxes.png"
    result = invoke("plot", "北京", "东京", "--vectors", ZH, "-o", str(out))
    assert result.exit_code == 0, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("note: no available font has glyphs for 3 character(s) (东京北)")
    assert lines[1] == f"wrote {out} (2 words, PCA)"


def test_tiny_store_classroom_example(tmp_path):
    # A GloVe run on 4 sentences gives a handful of words in 5 dimensions.
    from embtool import VectorStore

    rng = np.random.default_rng(0)
    words = ["the", "cat", "sat", "on", "mat"]
    store = VectorStore(words, rng.normal(size=(5, 5)).astype(np.float32), counts=[5, 3, 2, 2, 1])
    path = save_vectors(store, tmp_path / "tiny")
    out = tmp_path / "tiny.png"
    result = invoke("plot", "--vectors", str(path), "--top", "5", "-o", str(out))
    assert result.exit_code == 0, result.stderr
    assert out.read_bytes().startswith(PNG)
    data = coords(invoke("plot", "cat", "mat", "--vectors", str(path), "-f", "json"))
    assert len(data["points"]) == 2


# -- bad input: one line, no file ------------------------------------------------------------
@pytest.mark.parametrize(
    ("args", "code", "start"),
    [
        (
            ["kingg", "queenn"],
            1,
            "2 words not in vectors (toy.txt): 'kingg' (did you mean 'king'?)",
        ),
        (["king"], 1, "PCA needs at least 2 words, got 1 ('king')"),
        (["king", "queen", "-m", "tsne"], 1, "t-SNE needs at least 3 points"),
        (["king", "queen", "--fit-on", "1000"], 1, "--fit-on '1000': expected top:N"),
        (["king", "queen", "--size", "big"], 2, "--size 'big': expected WIDTHxHEIGHT"),
        (["king", "queen", "--size", "100x100", "--dpi", "2400"], 1, "--size 100x100 at --dpi"),
        (["king", "queen", "--group", "nonsense"], 2, "--group 'nonsense': expected NAME="),
        (["king", "queen", "--words-file", "/nonexistent/w.txt"], 1, "/nonexistent/w.txt: no such"),
    ],
)
def test_bad_input_one_line_and_no_file(tmp_path, args, code, start):
    out = tmp_path / "p.png"
    result = invoke("plot", *args, "--vectors", TOY, "-o", str(out))
    one_line_error(result, code, start)
    assert list(tmp_path.iterdir()) == []


def test_bad_outputs_fail_before_any_work(tmp_path):
    one_line_error(
        invoke("plot", "king", "queen", "--vectors", TOY, "-o", str(tmp_path / "p.jpg")),
        1,
        f"{tmp_path / 'p.jpg'}: unknown image type ('.jpg'); end the file name in .png",
    )
    one_line_error(
        invoke("plot", "king", "queen", "--vectors", TOY, "-o", str(tmp_path / "no" / "p.png")),
        1,
        f"{tmp_path / 'no' / 'p.png'}: directory {tmp_path / 'no'} does not exist",
    )
    one_line_error(
        invoke("plot", "king", "queen", "--vectors", TOY, "--coords", str(tmp_path)),
        1,
        f"{tmp_path} is a directory",
    )
    one_line_error(invoke("plot", "king", "queen", "--vectors", TOY), 2, "nothing to write")
    assert list(tmp_path.iterdir()) == []


def test_unknown_word_does_not_replace_an_existing_image(tmp_path):
    out = tmp_path / "p.png"
    out.write_bytes(b"old")
    one_line_error(invoke("plot", "kingg", "queen", "--vectors", TOY, "-o", str(out)), 1, "1 word")
    assert out.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["p.png"]


def test_skip_unknown_warns_and_plots():
    result = invoke("plot", "king", "kingg", "queen", "--vectors", TOY, "-f", "json",
                    "--skip-unknown")  # fmt: skip
    data = coords(result)
    assert [p["word"] for p in data["points"]] == ["king", "queen"]
    assert "warning: left out 1 word(s) not in the vectors: 'kingg'" in result.stderr


@pytest.mark.parametrize("args", [["plot", "--help"], ["plot", "words", "--help"], ["plot"]])
def test_help_shows_both_forms_and_an_example(args):
    result = invoke(*args)
    text = result.stdout
    assert "Example" in text
    assert "embtool plot" in text
    if args[-1] != "words" and args != ["plot", "words", "--help"]:
        assert "embtool plot bias" in text and "words" in text


def test_subprocess_png_and_error(tmp_path):
    out = tmp_path / "r.png"
    proc = run_embtool("plot", "king", "queen", "man", "woman", "--vectors", TOY, "-o", str(out),
                       "--analogy", "king", "man", "woman", "queen")  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.strip() == f"wrote {out} (4 words, PCA)"
    assert out.read_bytes().startswith(PNG)
    proc = run_embtool("plot", "king", "--vectors", TOY, "-o", str(tmp_path / "x.png"))
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    assert proc.stderr.strip().startswith("error: PCA needs at least 2 words")
    assert not (tmp_path / "x.png").exists()


def test_chinese_store_loads(tmp_path):
    assert load_vectors(ZH).words[:3] == ["中国", "北京", "上海"]
    assert Path(ZH).is_file()


# -- embtool plot bias -----------------------------------------------------------------------
GENDER = str(FIXTURES / "gender_toy.txt")


def test_plot_bias_defaults_to_the_professions_in_the_vectors(tmp_path):
    from embtool.bias import bolukbasi_professions

    out = tmp_path / "bias.png"
    result = invoke("plot", "bias", "--vectors", GENDER, "-o", str(out), "-f", "json")
    data = coords(result)
    in_toy = [w for w in bolukbasi_professions() if w in load_vectors(GENDER)]
    assert [p["word"] for p in data["points"]] == in_toy
    assert data["direction"]["pairs"][:3] == [["woman", "man"], ["girl", "boy"], ["she", "he"]]
    assert data["y_axis"]["kind"] == "pca"
    assert out.read_bytes().startswith(PNG)
    assert f"wrote {out} ({len(in_toy)} words on the bias direction)" in result.stderr
    assert "warning: 4 of 10 pairs not in the vectors" in result.stderr


def test_plot_bias_words_equal_the_library_and_top_keeps_the_ends():
    from embtool.bias import bias_direction
    from embtool.projection import bias_map

    store = load_vectors(GENDER)
    words = ["nurse", "engineer", "doctor", "teacher", "carpenter", "homemaker"]
    data = coords(invoke("plot", "bias", *words, "--vectors", GENDER, "-f", "json"))
    bm = bias_map(store, words, bias_direction(store))
    np.testing.assert_allclose([[p["x"], p["y"]] for p in data["points"]], bm.coords)
    data = coords(invoke("plot", "bias", *words, "--vectors", GENDER, "-f", "json", "--top", "1"))
    assert [p["word"] for p in data["points"]] == ["carpenter", "homemaker"]


def test_plot_bias_pair_and_y_pair_tsv():
    result = invoke("plot", "bias", "nurse", "engineer", "--vectors", GENDER, "-f", "tsv",
                    "--pair", "she:he", "--method", "pair", "--y-pair", "mother:father")  # fmt: skip
    assert result.exit_code == 0, result.stderr
    rows = [line.split("\t") for line in result.stdout.strip().split("\n")]
    assert rows[0] == ["word", "x", "y"]
    assert [r[0] for r in rows[1:]] == ["nurse", "engineer"]
    assert float(rows[1][1]) > 0 > float(rows[2][1])


def test_plot_bias_stdin_only_with_dash():
    data = coords(invoke("plot", "bias", "-", "--vectors", GENDER, "-f", "json",
                         input="nurse\nengineer doctor\n"))  # fmt: skip
    assert [p["word"] for p in data["points"]] == ["nurse", "engineer", "doctor"]


@pytest.mark.parametrize(
    ("args", "code", "start"),
    [
        (["nursse", "doctor"], 1, "1 word not in vectors (gender_toy.txt): 'nursse'"),
        (["nurse"], 1, "the PCA axis needs at least 2 words, got 1 ('nurse')"),
        (["nurse", "doctor", "--y-pair", "mother"], 2, "--y-pair: expected a pair like she:he"),
        (
            ["nurse", "doctor", "--pair", "she:zzz"],
            1,
            "1 word not in vectors (gender_toy.txt): 'zzz'",
        ),
        (["nurse", "doctor", "--y-pair", "she:zzz"], 1, "1 word not in vectors"),
        (["nurse", "doctor", "--size", "8x6", "--dpi", "2400"], 1, "--size 8x6 at --dpi 2400"),
    ],
)
def test_plot_bias_bad_input(tmp_path, args, code, start):
    out = tmp_path / "b.png"
    pair = [] if "--pair" in args else ["--pair", "she:he"]
    result = invoke("plot", "bias", *args, *pair, "--method", "pair", "--vectors", GENDER,
                    "-o", str(out))  # fmt: skip
    one_line_error(result, code, start)
    assert list(tmp_path.iterdir()) == []


def test_plot_bias_help_has_example():
    result = invoke("plot", "bias", "--help")
    assert result.exit_code == 0
    assert "Example: embtool plot bias" in " ".join(result.stdout.split())


def test_single_word_with_fit_on_is_drawn_with_its_neighbours():
    from embtool import projection
    from embtool.vectors import load_vectors

    result = invoke("plot", "king", "--fit-on", "top:8", "-k", "3", "--vectors", TOY, "-f", "json")
    data = coords(result)
    (members,) = projection.expand_neighbors(load_vectors(TOY), ["king"], 3).values()
    words = [p["word"] for p in data["points"]]
    assert words == list(members) and words[0] == "king" and len(words) == 4
    assert "plotting 'king' with its 3 nearest neighbours" in " ".join(result.stderr.split())
