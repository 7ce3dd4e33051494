"""Synthetic meetings for the benchmarks: N sessions over 3 days in R rooms, 1 to 4 people each, a third in Japanese.

    python bench/generate.py 5000 60 > /tmp/big.yaml

Sessions fill a grid of (day, slot, room), so no room is double-booked, and each slot takes its people from its
own stretch of the pool, so nobody is in two places at once: the file loads through every rule of the API.
"""

from __future__ import annotations

import math
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from eventapp.seeding.export import to_yaml

KINDS = ["session", "session", "session", "workshop", "roundtable", "symposium", "plenary", "forum"]
ROLES = ["moderator", "speaker", "speaker", "panelist"]
WORDS = [
    "regulatory",
    "science",
    "clinical",
    "trial",
    "multi-regional",
    "evidence",
    "oncology",
    "biomarker",
    "real-world",
    "data",
    "safety",
    "harmonization",
    "pediatric",
    "rare",
    "disease",
    "digital",
    "endpoint",
    "decentralized",
    "approval",
    "review",
    "pathway",
]
JA_WORDS = [
    "規制",
    "科学",
    "臨床",
    "試験",
    "国際",
    "共同",
    "治験",
    "承認",
    "審査",
    "安全性",
    "医薬品",
    "開発",
    "評価",
    "日本",
    "中国",
    "アジア",
    "患者",
    "データ",
]


def _text(rng: random.Random, japanese: bool, length: int) -> str:
    words, sep = (JA_WORDS, "") if japanese else (WORDS, " ")
    out = []
    while len(sep.join(out)) < length:
        out.append(rng.choice(words))
    text = sep.join(out)[:length]
    return text + ("。" if japanese else ".")


def meeting(sessions: int, rooms: int, slug: str = "bench", seed: int = 42) -> dict:
    """A seed document for a published meeting of this size."""
    rng = random.Random(seed)
    slots_per_day = math.ceil(sessions / (3 * rooms))
    minutes = max(15, min(60, (10 * 60) // slots_per_day))
    pool = rooms * 4 * 3  # three slots' worth of people before anyone is reused
    people = [
        {
            "slug": f"person-{i}",
            "given_name": f"Given{i}",
            "family_name": f"Family{i}",
            "organization": f"Organization {i % 50}",
        }
        for i in range(pool)
    ]
    items = []
    for n in range(sessions):
        day, rest = divmod(n, slots_per_day * rooms)
        slot, room = divmod(rest, rooms)
        start = 8 * 60 + slot * minutes
        japanese = n % 3 == 0
        stretch = (day * slots_per_day + slot) % 3 * rooms * 4
        participants = [
            {"person": f"person-{stretch + room * 4 + j}", "role": ROLES[j]} for j in range(rng.randint(1, 4))
        ]
        items.append(
            {
                "code": f"S{n:05d}",
                "title": _text(rng, japanese, 40).rstrip("。."),
                "abstract": _text(rng, japanese, 600),
                "kind": rng.choice(KINDS),
                "status": "confirmed",
                "starts_at": f"2026-10-{18 + day}T{start // 60:02d}:{start % 60:02d}",
                "ends_at": f"2026-10-{18 + day}T{(start + minutes) // 60:02d}:{(start + minutes) % 60:02d}",
                "room": f"Room {room + 1}",
                "track": f"Track {n % 8 + 1}",
                "language": "ja" if japanese else "en",
                "interpretation": ["en"] if japanese else ["ja"],
                "participants": participants,
            }
        )
    return {
        "conference": {
            "slug": slug,
            "name": f"Benchmark Meeting ({sessions} sessions)",
            "timezone": "Asia/Tokyo",
            "start_date": "2026-10-18",
            "end_date": "2026-10-20",
            "languages": ["en", "ja"],
            "status": "published",
            "venue": {"name": "Tokyo Big Sight", "city": "Tokyo", "country": "JP"},
        },
        "organizations": [{"name": f"Organization {i}", "kind": "industry"} for i in range(50)],
        "people": people,
        "rooms": [{"name": f"Room {r + 1}", "capacity": 200} for r in range(rooms)],
        "tracks": [{"name": f"Track {t + 1}"} for t in range(8)],
        "booths": [],
        "sessions": items,
    }


if __name__ == "__main__":
    count, room_count = (int(sys.argv[1]), int(sys.argv[2])) if len(sys.argv) > 2 else (150, 10)
    sys.stdout.write(to_yaml(meeting(count, room_count)))
