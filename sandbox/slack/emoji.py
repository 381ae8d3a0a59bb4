"""Slack's standard emoji shortcodes as the characters Slack shows, for the page; unknown ones stay as typed.

Names follow Slack's own set (iamcal/emoji-data, which Slack's clients use): every shortcode the product's
texts use (grep bot/ for ':[a-z_]+:'), plus the common ones people and apps write. A local table, so
the page never downloads anything.
"""

from __future__ import annotations

import re

PRODUCT = {
    "arrows_counterclockwise": "\U0001f504",
    "hourglass_flowing_sand": "\u23f3",
    "inbox_tray": "\U0001f4e5",
    "large_green_circle": "\U0001f7e2",
    "leftwards_arrow_with_hook": "\u21a9\ufe0f",
    "moneybag": "\U0001f4b0",
    "no_entry": "\u26d4",
    "no_entry_sign": "\U0001f6ab",
    "outbox_tray": "\U0001f4e4",
    "paperclip": "\U0001f4ce",
    "receipt": "\U0001f9fe",
    "red_circle": "\U0001f534",
    "repeat": "\U0001f501",
    "warning": "\u26a0\ufe0f",
    "wastebasket": "\U0001f5d1\ufe0f",
    "white_check_mark": "\u2705",
}

COMMON = {
    "+1": "\U0001f44d", "thumbsup": "\U0001f44d", "-1": "\U0001f44e", "thumbsdown": "\U0001f44e",
    "ok_hand": "\U0001f44c", "clap": "\U0001f44f", "raised_hands": "\U0001f64c", "pray": "\U0001f64f",
    "wave": "\U0001f44b", "point_right": "\U0001f449", "point_left": "\U0001f448", "muscle": "\U0001f4aa",
    "eyes": "\U0001f440", "smile": "\U0001f604", "slightly_smiling_face": "\U0001f642", "grin": "\U0001f601",
    "joy": "\U0001f602", "wink": "\U0001f609", "thinking_face": "\U0001f914", "confused": "\U0001f615",
    "cry": "\U0001f622", "sweat_smile": "\U0001f605", "face_palm": "\U0001f926", "shrug": "\U0001f937",
    "heart": "\u2764\ufe0f", "tada": "\U0001f389", "sparkles": "\u2728", "star": "\u2b50", "fire": "\U0001f525",
    "rocket": "\U0001f680", "zap": "\u26a1", "boom": "\U0001f4a5", "100": "\U0001f4af", "robot_face": "\U0001f916",
    "heavy_check_mark": "\u2714\ufe0f", "ballot_box_with_check": "\u2611\ufe0f", "x": "\u274c",
    "heavy_multiplication_x": "\u2716\ufe0f", "heavy_plus_sign": "\u2795", "heavy_minus_sign": "\u2796",
    "question": "\u2753", "grey_question": "\u2754", "exclamation": "\u2757", "heavy_exclamation_mark": "\u2757",
    "bangbang": "\u203c\ufe0f", "information_source": "\u2139\ufe0f", "rotating_light": "\U0001f6a8",
    "construction": "\U0001f6a7", "stop_sign": "\U0001f6d1", "lock": "\U0001f512", "unlock": "\U0001f513",
    "key": "\U0001f511", "bell": "\U0001f514", "no_bell": "\U0001f515", "mag": "\U0001f50d", "bulb": "\U0001f4a1",
    "link": "\U0001f517", "gear": "\u2699\ufe0f", "wrench": "\U0001f527", "hammer_and_wrench": "\U0001f6e0\ufe0f",
    "memo": "\U0001f4dd", "pencil2": "\u270f\ufe0f", "page_facing_up": "\U0001f4c4", "clipboard": "\U0001f4cb",
    "bookmark_tabs": "\U0001f4d1", "file_folder": "\U0001f4c1", "card_index": "\U0001f4c7", "pushpin": "\U0001f4cc",
    "calendar": "\U0001f4c6", "date": "\U0001f4c5", "spiral_calendar_pad": "\U0001f5d3\ufe0f", "clock1": "\U0001f550",
    "alarm_clock": "\u23f0", "stopwatch": "\u23f1\ufe0f", "hourglass": "\u231b", "watch": "\u231a",
    "dollar": "\U0001f4b5", "euro": "\U0001f4b6", "money_with_wings": "\U0001f4b8", "credit_card": "\U0001f4b3",
    "bank": "\U0001f3e6", "chart_with_upwards_trend": "\U0001f4c8", "chart_with_downwards_trend": "\U0001f4c9",
    "bar_chart": "\U0001f4ca", "package": "\U0001f4e6", "truck": "\U0001f69a", "airplane": "\u2708\ufe0f",
    "email": "\U0001f4e7", "envelope": "\u2709\ufe0f", "incoming_envelope": "\U0001f4e8", "mailbox": "\U0001f4eb",
    "speech_balloon": "\U0001f4ac", "loudspeaker": "\U0001f4e2", "mega": "\U0001f4e3", "telephone_receiver": "\U0001f4de",
    "arrow_right": "\u27a1\ufe0f", "arrow_left": "\u2b05\ufe0f", "arrow_up": "\u2b06\ufe0f", "arrow_down": "\u2b07\ufe0f",
    "arrow_forward": "\u25b6\ufe0f", "arrows_clockwise": "\U0001f503", "recycle": "\u267b\ufe0f",
    "back": "\U0001f519", "new": "\U0001f195", "free": "\U0001f193", "ok": "\U0001f197", "sos": "\U0001f198",
    "large_blue_circle": "\U0001f535", "large_yellow_circle": "\U0001f7e1", "large_orange_circle": "\U0001f7e0",
    "large_purple_circle": "\U0001f7e3", "white_circle": "\u26aa", "black_circle": "\u26ab",
    "large_green_square": "\U0001f7e9", "large_red_square": "\U0001f7e5", "large_yellow_square": "\U0001f7e8",
    "checkered_flag": "\U0001f3c1", "triangular_flag_on_post": "\U0001f6a9",
    "bouquet": "\U0001f490", "rose": "\U0001f339", "tulip": "\U0001f337", "sunflower": "\U0001f33b",
    "hibiscus": "\U0001f33a", "cherry_blossom": "\U0001f338", "blossom": "\U0001f33c", "seedling": "\U0001f331",
    "herb": "\U0001f33f", "four_leaf_clover": "\U0001f340", "sunny": "\u2600\ufe0f", "snowflake": "\u2744\ufe0f",
    "coffee": "\u2615", "pizza": "\U0001f355", "cake": "\U0001f370", "beers": "\U0001f37b", "trophy": "\U0001f3c6",
    "medal": "\U0001f3c5", "gift": "\U0001f381", "balloon": "\U0001f388", "skull": "\U0001f480",
    "ghost": "\U0001f47b", "see_no_evil": "\U0001f648", "white_flag": "\U0001f3f3\ufe0f",
}

SHORTCODES = {**COMMON, **PRODUCT}
_SHORTCODE = re.compile(r":([a-z0-9_+\-]+):")


def emojify(text: str) -> str:
    """`text` with every known :shortcode: replaced by its emoji; unknown shortcodes stay, as Slack leaves them."""
    return _SHORTCODE.sub(lambda m: SHORTCODES.get(m.group(1), m.group(0)), text)
