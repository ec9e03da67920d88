"""Photos keep their subject in frame in every channel, and faces of the protected are blurred.

The subject is a magenta square in a cyan frame, in a corner of a photo of grey noise: in each
channel's actual output it must appear whole (cyan on all four sides of the magenta), which a
centre crop fails. Faces: the public-domain astronaut photo (``tests/fixtures/focal``, made by
``benchmarks/make_focal_photos.py``), found by the same Haar cascade before and after.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import cv2
import imageio_ffmpeg
import numpy as np
import pytest
from PIL import Image

from publisher.config import load_config
from publisher.content.story import FrontMatter
from publisher.pipeline.check import check_site
from publisher.pipeline.reader import read_site
from publisher.render import faces, inputs, photos, treatment
from publisher.render.region import Region

FOCAL = Path(__file__).parent / "fixtures" / "focal"
FACE_PHOTO = FOCAL / "p02-landscape-face-bottom-right.jpg"
MAGENTA, CYAN, GREEN = (255, 0, 255), (0, 255, 255), (0, 200, 0)
CONFIG = """name = "测试分局"
[kinds.officer]
channels = ["weibo", "wechat", "douyin", "led", "print"]
section = "officers"
[kinds.deed]
channels = ["weibo", "wechat", "douyin"]
section = "deeds"
[kinds.antifraud]
channels = ["weibo"]
section = "antifraud"
[channels.weibo]
type = "weibo"
[channels.wechat]
type = "wechat"
[channels.douyin]
type = "video"
platform = "douyin"
preset = "ultrafast"
title_seconds = 1.0
end_seconds = 1.0
min_cue = 1.5
[channels.led]
type = "led"
[[channels.led.screens]]
name = "hall"
width = 384
height = 192
[channels.print]
type = "print"
paper = "A4"
sides = 1
qr = "tel:110"
"""


def noise(size: tuple[int, int], seed: int = 1) -> np.ndarray:
    rng = np.random.default_rng(seed)
    grey = rng.integers(70, 150, (size[1] // 4, size[0] // 4), dtype=np.uint8)
    big = np.asarray(Image.fromarray(grey).resize(size, Image.Resampling.BILINEAR))
    return np.repeat(big[:, :, None], 3, axis=2).copy()


def framed_square(pixels: np.ndarray, box: tuple[int, int, int, int], colour=MAGENTA, frame: int = 14) -> None:
    left, top, right, bottom = box
    pixels[top:bottom, left:right] = CYAN
    pixels[top + frame:bottom - frame, left + frame:right - frame] = colour


def corner_photo(path: Path) -> None:
    """A square photo whose subject sits in its top left corner."""
    pixels = noise((1200, 1200))
    framed_square(pixels, (50, 50, 310, 310))
    Image.fromarray(pixels).save(path)


SCRIPT = "## 现场\n\n![](photo.png)\n\n民警赶到现场，帮助群众。老人平安回家，家属送来锦旗表示感谢。\n"


def write_story(site: Path, slug: str, front: str, body: str = SCRIPT, kind: str = "officer") -> Path:
    folder = site / "content" / f"{kind}s" / slug
    folder.mkdir(parents=True, exist_ok=True)
    officer = "officer: {name: 王五, unit: 谢家集分局}\n" if kind == "officer" else ""
    (folder / "index.md").write_text(
        f"---\ntitle: 民警帮助群众回家\nkind: {kind}\ndate: 2021-04-08\nstatus: ready\nsummary: 民警帮助群众。\n"
        f"{officer}{front}---\n\n{body}", encoding="utf-8")
    return folder


def new_site(tmp_path: Path) -> Path:
    site = tmp_path / "site"
    (site / "content").mkdir(parents=True)
    (site / "config.toml").write_text(CONFIG, encoding="utf-8")
    return site


def build(site: Path, *channels: str) -> Path:
    from publisher.cli import main

    out = site / "out"
    args = ["build", "--site", str(site), "--out", str(out), "--jobs", "1"]
    for channel in channels:
        args += ["--channel", channel]
    assert main(args) == 0
    return out


def classes(pixels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    r, g, b = (pixels[:, :, i].astype(int) for i in range(3))
    return (r > 170) & (g < 100) & (b > 170), (r < 100) & (g > 170) & (b > 170)


def assert_whole_subject(pixels: np.ndarray, where: str) -> None:
    """The magenta square is there, with its cyan frame on all four sides: nothing of it is cut."""
    magenta, cyan = classes(pixels)
    ys, xs = np.nonzero(magenta)
    assert len(xs) > 100, f"{where}: the subject is not in the picture"
    top, bottom, left, right = ys.min(), ys.max(), xs.min(), xs.max()
    # Captions and headings may lie over part of it: any row (column) of the frame will do.
    assert cyan[top:bottom, max(0, left - 12):left].any(), f"{where}: cut on the left"
    assert cyan[top:bottom, right + 1:right + 13].any(), f"{where}: cut on the right"
    assert cyan[max(0, top - 12):top, left:right].any(), f"{where}: cut at the top"
    assert cyan[bottom + 1:bottom + 13, left:right].any(), f"{where}: cut at the bottom"


def read(path: Path) -> np.ndarray:
    with Image.open(path) as image:
        return np.asarray(image.convert("RGB"))


def video_frames(video: Path, times: list[float]) -> list[np.ndarray]:
    frames = []
    for at in times:
        run = subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-ss", f"{at:.3f}", "-i", str(video),
                              "-frames:v", "1", "-f", "rawvideo", "-pix_fmt", "rgb24", "-"], capture_output=True,
                             check=True)
        frames.append(np.frombuffer(run.stdout, np.uint8).reshape(1920, 1080, 3))
    return frames


def photo_scene_times(folder: Path) -> list[float]:
    plan = json.loads((folder / "plan.json").read_text(encoding="utf-8"))
    scene = plan["scenes"][0]
    start, end = scene["start"], scene["end"]
    return [start + 0.05, (start + end) / 2, end - 0.1]


@pytest.fixture(scope="module")
def corner_site(tmp_path_factory) -> tuple[Path, Path]:
    site = new_site(tmp_path_factory.mktemp("corner"))
    folder = write_story(site, "corner", "images: [photo.png]\n")
    corner_photo(folder / "photo.png")
    return site, build(site)


def test_a_subject_in_a_corner_stays_whole_in_every_channels_crop(corner_site):
    """Weibo card, WeChat cover and lead, video frames across the pan and its cover, the LED photo
    slot and the printed leaflet: each shows the whole corner subject (a centre crop cuts it)."""
    _site, out = corner_site
    assert_whole_subject(read(out / "weibo/officers/corner/card-1.png"), "weibo card")
    wechat = read(out / "wechat/officers/corner/cover.jpg").astype(float)
    background = np.array([0x0D, 0x2C, 0x5E], float)  # the cover is the photo under the theme's 55 % shade
    assert_whole_subject(np.clip((wechat - 0.55 * background) / 0.45, 0, 255).astype(np.uint8), "wechat cover")
    assert_whole_subject(read(out / "wechat/officers/corner/images/lead.jpg"), "wechat lead image")
    video = out / "douyin/officers/corner"
    for number, frame in enumerate(video_frames(video / "video.mp4", photo_scene_times(video))):
        assert_whole_subject(frame, f"video frame {number}")
    assert_whole_subject(read(video / "cover.jpg"), "video cover")
    slides = sorted((out / "led" / "hall").rglob("slide-*.png"))
    assert slides, "no LED slide"
    assert_whole_subject(read(slides[0]), "LED photo slot")
    assert_whole_subject(read(out / "print/officers/corner/pages/page-1.png"), "leaflet")


def test_a_centre_crop_would_have_cut_the_corner_subject(tmp_path):
    """The test's own check fails on the old crop (the photo's middle), so it can tell."""
    corner_photo(tmp_path / "photo.png")
    with Image.open(tmp_path / "photo.png") as image:
        middle = photos.fit(image.convert("RGB"), Region.point(0.5, 0.5), (1080, 620))
    with pytest.raises(AssertionError):
        assert_whole_subject(np.asarray(middle.image), "centre crop")


def test_focus_from_front_matter_wins_over_what_stands_out(tmp_path):
    """``focus: [0.85, 0.85]`` frames the green square in the far corner, not the magenta one."""
    site = new_site(tmp_path)
    folder = write_story(site, "focus", "images: [{src: photo.png, focus: [0.85, 0.85]}]\n")
    pixels = noise((1200, 1200))
    framed_square(pixels, (50, 50, 310, 310))
    framed_square(pixels, (900, 900, 1150, 1150), colour=GREEN)
    Image.fromarray(pixels).save(folder / "photo.png")
    card = read(build(site, "weibo") / "weibo/officers/focus/card-1.png")
    magenta, _cyan = classes(card)
    green = (card[:, :, 1] > 170) & (card[:, :, 0] < 60) & (card[:, :, 2] < 60)
    assert green.sum() > 20000 and magenta.sum() == 0


@pytest.mark.parametrize("focus, message", [
    ("[1.5, 0.3]", "both between 0 and 1"), ("[0.5]", "images.0.focus"), ("oops", "images.0.focus")])
def test_a_bad_focus_is_an_error_at_its_key(tmp_path, cli, focus, message):
    site = new_site(tmp_path)
    folder = write_story(site, "bad", f"images:\n  - {{src: photo.png, focus: {focus}}}\n")
    corner_photo(folder / "photo.png")
    run = cli("check", "--site", site)
    assert run.code == 1
    line = next(line for line in run.err.splitlines() if "error" in line)
    assert line.startswith(f"{Path('content/officers/bad/index.md')}:9:") or ":9:" in line, line
    assert message in line or "focus" in line, line


def test_plain_image_names_still_work_and_focus_is_kept():
    meta = FrontMatter.model_validate({"title": "x", "kind": "deed", "date": "2021-04-08",
                                       "images": ["a.jpg", {"src": "b.jpg", "focus": [0.2, 0.9]}]})
    assert [str(image) for image in meta.images] == ["a.jpg", "b.jpg"]
    assert meta.images[0].focus is None and meta.images[1].focus == (0.2, 0.9)


def test_a_portrait_photo_on_a_wide_card_is_shown_whole_over_a_blurred_fill(tmp_path):
    """Cropping a 1:2 photo to the card's 1.74:1 would drop most of it: it is shown whole (both ends'
    markers in the card), and the bands beside it are blurred (no fine detail)."""
    site = new_site(tmp_path)
    folder = write_story(site, "tall", "images: [photo.png]\n")
    pixels = noise((600, 1200), seed=3)
    pixels = np.asarray(Image.fromarray(pixels).resize((600, 1200), Image.Resampling.NEAREST)).copy()
    framed_square(pixels, (200, 20, 400, 220))
    framed_square(pixels, (200, 980, 400, 1180), colour=GREEN)
    Image.fromarray(pixels).save(folder / "photo.png")
    card = read(build(site, "weibo") / "weibo/officers/tall/card-1.png")
    area = card[150:150 + 620]  # the title card's photo band (1080×620 from y=150)
    assert_whole_subject(area, "top marker")
    green = (area[:, :, 1] > 170) & (area[:, :, 0] < 60) & (area[:, :, 2] < 60)
    assert green.sum() > 5000, "the bottom of the photo is missing"
    grey = cv2.cvtColor(np.ascontiguousarray(area), cv2.COLOR_RGB2GRAY)
    sharpness = np.abs(cv2.Laplacian(grey, cv2.CV_64F))
    shown = round(600 * 620 / 1200)  # the photo's width when its height fills the band
    middle = sharpness[:, (1080 - shown) // 2 + 10:(1080 + shown) // 2 - 10].mean()
    band = sharpness[:, :(1080 - shown) // 2 - 10].mean()
    assert band < middle / 4, (band, middle)


# ------------------------------------------------------------------ faces


def face_site(tmp_path: Path, people: str) -> Path:
    site = new_site(tmp_path)
    body = "## 现场\n\n![](face.jpg)\n\n民警赶到现场，帮助群众。老人平安回家，家属送来锦旗表示感谢。\n"
    folder = write_story(site, "child", f"images: [face.jpg]\npeople:\n{people}", body=body, kind="deed")
    shutil.copy(FACE_PHOTO, folder / "face.jpg")
    return site


def sharpness_at(pixels: np.ndarray, box: tuple[int, int, int, int]) -> float:
    left, top, right, bottom = box
    grey = cv2.cvtColor(np.ascontiguousarray(pixels[top:bottom, left:right]), cv2.COLOR_RGB2GRAY)
    return float(cv2.Laplacian(grey, cv2.CV_64F).var())


@pytest.fixture(scope="module")
def face_outputs(tmp_path_factory) -> dict[str, dict[str, np.ndarray]]:
    """The Weibo card, the WeChat lead image and a video frame of one photo with a face, in a story
    naming a minor, blurred and (``blur: false`` with a reason) sharp."""
    outputs = {}
    for name, people in (("blurred", "  - {name: 王小明, role: minor}\n"),
                         ("sharp", "  - {name: 王小明, role: minor, blur: false, reason: 监护人书面同意公开}\n")):
        out = build(face_site(tmp_path_factory.mktemp(name), people))
        video = out / "douyin/deeds/child"
        outputs[name] = {"weibo card": read(out / "weibo/deeds/child/card-1.png"),
                         "wechat image": read(out / "wechat/deeds/child/images/lead.jpg"),
                         "video frame": video_frames(video / "video.mp4", photo_scene_times(video)[1:2])[0]}
    return outputs


@pytest.mark.parametrize("output", ["weibo card", "wechat image", "video frame"])
def test_faces_in_a_story_naming_a_minor_are_blurred(face_outputs, output):
    sharp, blurred = face_outputs["sharp"][output], face_outputs["blurred"][output]
    found = faces.find(Image.fromarray(sharp))
    assert found, "the face is not found in the sharp output (the test cannot tell)"
    assert not faces.find(Image.fromarray(blurred)), "a face is still found in the blurred output"
    box = found[0].pixels((sharp.shape[1], sharp.shape[0]))
    assert sharpness_at(blurred, box) < sharpness_at(sharp, box) / 5


def test_blur_false_needs_a_reason_at_the_persons_key(tmp_path, cli):
    site = face_site(tmp_path, "  - {name: 王小明, role: minor, blur: false}\n")
    run = cli("check", "--site", site)
    assert run.code == 1
    assert "index.md:9:5: error: people.0: people: keeping the faces in 王小明's photos sharp" in run.err
    # a reason that says nothing (spaces, a zero-width space) is no reason
    invisible = face_site(tmp_path / "invisible",
                          '  - {name: 王小明, role: minor, blur: false, reason: "\u200b \u3000"}\n')
    run = cli("check", "--site", invisible)
    assert run.code == 1 and "keeping the faces in 王小明's photos sharp" in run.err


def test_check_warns_when_no_face_is_found_in_a_protected_storys_photo(tmp_path):
    site = new_site(tmp_path)
    folder = write_story(site, "noface", "images: [photo.png]\npeople:\n  - {name: 王小明, role: victim}\n",
                         kind="deed")
    # a plain sky (the noisy corner photo shows the thorough search a false face or two: they only blur more)
    sky = np.linspace((90, 140, 210), (200, 220, 240), 600).astype(np.uint8)
    Image.fromarray(np.repeat(sky[:, None, :], 800, axis=1)).save(folder / "photo.png")
    shutil.copy(FACE_PHOTO, folder / "face.jpg")
    (folder / "index.md").write_text((folder / "index.md").read_text(encoding="utf-8") + "\n![](face.jpg)\n",
                                     encoding="utf-8")
    _errors, warnings, _count = check_site(site, load_config(site)[0])
    found = [w for w in warnings if "no face was found" in w.message]
    assert [(w.line, w.message.split(",")[0]) for w in found] == [(7, "no face was found in photo.png")]


def test_detection_is_remembered_by_content_and_the_blur_changes_the_identity(tmp_path):
    """Two files with the same bytes share one detection; the treatment follows the front matter."""
    site = face_site(tmp_path, "  - {name: 王小明, role: minor}\n")
    stories, problems = read_site(site, load_config(site)[0])
    assert not [p for p in problems if p.severity == "error"]
    story = stories[0]
    assert treatment.of_stories([story])[story.images[0].resolve()].blur_faces
    sharp = face_site(tmp_path / "other", "  - {name: 王小明, role: witness}\n")
    other, _problems = read_site(sharp, load_config(sharp)[0])
    assert not treatment.of_stories(other)[other[0].images[0].resolve()].blur_faces


def test_a_photo_another_story_protects_is_blurred_in_every_story_that_shows_it(tmp_path):
    """Blurring is decided per photo across the site: by file and by content (a copy under another
    name), and an edit of the protecting story alone renders the others again."""
    site = face_site(tmp_path, "  - {name: 王小明, role: minor, blur: false, reason: 监护人书面同意公开}\n")
    write_story(site, "shared", "images: [../child/face.jpg]\n", body="民警帮助群众回家。\n", kind="deed")
    copy = write_story(site, "copied", "images: [same.jpg]\n", body="民警帮助群众回家。\n", kind="deed")
    shutil.copy(FACE_PHOTO, copy / "same.jpg")
    out = build(site, "weibo")
    for slug in ("shared", "copied"):  # the test can tell: the face is found while nobody protects it
        assert faces.find(Image.open(out / f"weibo/deeds/{slug}/card-1.png").convert("RGB")), slug
    protecting = site / "content/deeds/child/index.md"
    protecting.write_text(protecting.read_text(encoding="utf-8").replace(
        ", blur: false, reason: 监护人书面同意公开", ""), encoding="utf-8")
    out = build(site, "weibo")
    for slug in ("child", "shared", "copied"):
        assert not faces.find(Image.open(out / f"weibo/deeds/{slug}/card-1.png").convert("RGB")), slug
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    shared = next(r for r in manifest["renditions"] if r["story"] == "deeds/shared")
    assert "content/deeds/child/index.md" in shared["inputs"]  # its edit re-renders this one


def group_photo(path: Path) -> list[tuple[int, int, int, int]]:
    """Four faces of one person at four sizes (the smallest about 3 % of the photo's width) on a
    plain ground, as in a group photo taken from afar; returns each face's box."""
    face = Image.open(FACE_PHOTO).convert("RGB").crop((900, 440, 1151, 736))
    photo = Image.new("RGB", (1120, 1080), (118, 128, 118))
    boxes = []
    for left, width in ((400, 60), (500, 80), (600, 100), (800, 140)):
        height = round(width * face.height / face.width)
        photo.paste(face.resize((width, height), Image.Resampling.LANCZOS), (left, 300))
        boxes.append((left, 300, left + width, 300 + height))
    photo.save(path, quality=92)
    return boxes


def test_every_face_of_a_group_photo_of_the_protected_is_blurred(tmp_path):
    """The small faces a 640-pixel search misses are found in a protected photo, and blurred;
    check and build say how many faces were found, so that a person looks at the photo."""
    site = new_site(tmp_path)
    folder = write_story(site, "group", "images: [group.jpg]\nchannels: [weibo]\n"
                         "people:\n  - {name: 刘小明, role: minor}\n", body="民警送刘小明回家。\n", kind="deed")
    boxes = group_photo(folder / "group.jpg")
    sharp = np.asarray(Image.open(folder / "group.jpg").convert("RGB"))
    assert len(faces.find(Image.fromarray(sharp))) < 4  # the quick search alone misses some
    stories, problems = read_site(site, load_config(site)[0])
    assert stories and not problems, problems
    with treatment.applying(stories):
        blurred = np.asarray(inputs.open_image(folder / "group.jpg"))
    for left, top, right, bottom in boxes:  # the face itself: the middle of the pasted portrait
        width, height = right - left, bottom - top
        face = (left + width // 4, top + height // 5, left + width * 3 // 5, top + height // 2)
        assert sharpness_at(blurred, face) < sharpness_at(sharp, face) / 5, face
    _errors, warnings, _count = check_site(site, load_config(site)[0])
    assert [(w.line, w.message) for w in warnings if "face" in w.message] == [(7, (
        "4 faces were found in group.jpg and are blurred, a photo of a victim or a minor: look at the photo "
        "yourself for any face left unblurred"))]
    out = site / "out"
    from publisher.pipeline.build import build as build_site
    result = build_site(site, load_config(site)[0], out, jobs=1)
    assert any(w.message.startswith("4 faces were found in group.jpg") for w in result.warnings)
    assert not faces.find_thoroughly(Image.open(out / "weibo/deeds/group/card-1.png").convert("RGB"))


@pytest.mark.parametrize("subject, frame, travel", [
    ((85, 527), 1920, 166), ((1900, 2030), 1920, 166), ((0, 1920), 1920, 120), ((10, 2100), 1920, 180),
    ((700, 701), 1080, 120)])
def test_a_pan_never_leaves_its_subject(subject, frame, travel):
    """Every offset between the pan's first and last keeps the subject in the window (or, when the
    subject is longer than the frame, the window stays inside the subject, centred)."""
    from publisher.render.video.frames import pan_range

    first, last = pan_range(subject, frame, travel)
    assert first % 2 == 0 and last % 2 == 0 and 0 <= min(first, last) <= max(first, last) <= travel
    for offset in range(min(first, last), max(first, last) + 1, 2):
        if subject[1] - subject[0] <= frame:
            assert offset <= subject[0] and offset + frame >= subject[1]
        else:
            assert subject[0] <= offset and offset + frame <= subject[1]
