"""DSFR icons in our templates: each one exists in the DSFR shipped by django-dsfr (an unknown class draws an
empty square), and labelled icon buttons in a group keep their label (both mistakes were seen in review)."""

import re
from pathlib import Path

import dsfr
from django.conf import settings

DSFR = Path(dsfr.__file__).parent / "static" / "dsfr" / "dist"
ICON = re.compile(r"fr-icon-[a-z0-9-]+")


def test_every_icon_of_our_templates_exists_in_the_dsfr():
    known = set()
    for stylesheet in (DSFR / "dsfr.min.css", DSFR / "utility" / "icons" / "icons.min.css"):
        known |= set(ICON.findall(stylesheet.read_text(encoding="utf-8")))
    used = {
        (template.relative_to(settings.BASE_DIR).as_posix(), icon)
        for template in (Path(settings.BASE_DIR) / "templates").rglob("*.html")
        for icon in ICON.findall(template.read_text(encoding="utf-8"))
    }
    assert used and known
    assert sorted((path, icon) for path, icon in used if icon not in known) == []


BUTTON_GROUP = re.compile(r'<ul class="(fr-btns-group[^"]*)"(.*?)</ul>', re.S)


def test_button_groups_with_icon_buttons_say_so():
    """In a DSFR button group, buttons with an icon and a label need `fr-btns-group--icon-left` (or right) on
    the group; without it the DSFR draws them as 40-pixel icon-only buttons and hides their label."""
    wrong = []
    for template in (Path(settings.BASE_DIR) / "templates").rglob("*.html"):
        for group in BUTTON_GROUP.finditer(template.read_text(encoding="utf-8")):
            classes, buttons = group.groups()
            if "--icon-" not in classes and re.search(r"fr-btn--icon-(left|right)", buttons):
                wrong.append((template.name, classes))
    assert wrong == []
