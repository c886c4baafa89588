"""Realistic, deterministic demo people: names, languages, times and preferences."""

from __future__ import annotations

import random

from buddy.models.types import SLOTS

# Roughly the mix of first languages among people who came to Germany in recent years.
LANGUAGE_MIX = {
    "ar": 28, "uk": 22, "fa": 12, "ku": 8, "tr": 8, "ru": 6, "ti": 5, "ps": 4, "so": 3,
    "en": 2, "fr": 2,
}

FIRST_NAMES = {
    "ar": ["Amina", "Fatima", "Mohammed", "Ahmad", "Omar", "Layla", "Yousef", "Rania", "Khaled",
           "Nour", "Hassan", "Samira", "Mahmoud", "Huda"],
    "uk": ["Olena", "Iryna", "Oksana", "Andrii", "Dmytro", "Nataliia", "Serhii", "Yuliia",
           "Kateryna", "Mykola", "Halyna", "Taras"],
    "fa": ["Zahra", "Maryam", "Ali", "Reza", "Sara", "Hamid", "Fereshteh", "Mahdi", "Parisa",
           "Nargis", "Sohrab"],
    "ku": ["Rojda", "Berfin", "Azad", "Dilan", "Hêvî", "Serhat", "Zozan", "Kawa", "Jînda"],
    "tr": ["Ayşe", "Elif", "Mehmet", "Mustafa", "Zeynep", "Emre", "Fatma", "Burak", "Hatice"],
    "ru": ["Svetlana", "Aleksei", "Tatiana", "Ivan", "Anna", "Pavel", "Elena", "Olga"],
    "ti": ["Selam", "Yonas", "Helen", "Dawit", "Senait", "Tesfay", "Mebrat", "Filmon", "Luwam"],
    "ps": ["Gulalai", "Ahmad Shah", "Malalai", "Zarmina", "Naweed", "Hamidullah", "Shabnam"],
    "so": ["Hodan", "Abdi", "Faduma", "Hassan", "Ayaan", "Mahad", "Sagal"],
    "en": ["Chinedu", "Grace", "Kwame", "Blessing", "Emeka", "Abena"],
    "fr": ["Aminata", "Moussa", "Fatou", "Ibrahima", "Mariam", "Sekou"],
}
LAST_NAMES = {
    "ar": ["Haddad", "Al-Hassan", "Khalil", "Saleh", "Nasser", "Darwish", "Ibrahim", "Mansour"],
    "uk": ["Shevchenko", "Kovalenko", "Bondarenko", "Tkachenko", "Melnyk", "Kravchenko"],
    "fa": ["Ahmadi", "Hosseini", "Karimi", "Rahimi", "Mohammadi", "Sadeghi", "Azizi"],
    "ku": ["Xelîl", "Ehmed", "Osman", "Şêxo", "Biro", "Hesen"],
    "tr": ["Yılmaz", "Kaya", "Demir", "Şahin", "Çelik", "Aydın"],
    "ru": ["Ivanova", "Smirnov", "Petrova", "Volkov", "Morozova"],
    "ti": ["Tesfamariam", "Gebremedhin", "Haile", "Kidane", "Berhane", "Tekle"],
    "ps": ["Khan", "Stanikzai", "Popal", "Yousafzai", "Durrani"],
    "so": ["Warsame", "Farah", "Ali", "Jama", "Hirsi", "Abdullahi"],
    "en": ["Okafor", "Mensah", "Adeyemi", "Boateng"],
    "fr": ["Diallo", "Traoré", "Camara", "Koné", "Sow"],
}
VOLUNTEER_FIRST = ["Anna", "Lukas", "Julia", "Jonas", "Laura", "Maximilian", "Lea", "Felix",
                   "Sophie", "Paul", "Marie", "Thomas", "Sabine", "Michael", "Petra", "Ute",
                   "Klaus", "Birgit", "Hannah", "Tim", "Jana", "Ahmet", "Elena", "Jörg",
                   "Gisela", "Lina", "Mehmet", "Katharina"]
VOLUNTEER_LAST = ["Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner",
                  "Becker", "Schulz", "Hoffmann", "Koch", "Richter", "Klein", "Wolf",
                  "Schröder", "Neumann", "Braun", "Zimmermann", "Özdemir", "Krüger"]
# Languages volunteers speak besides German, with the share who speak each.
VOLUNTEER_LANGUAGES = {"en": 0.7, "fr": 0.2, "es": 0.1, "ar": 0.08, "ru": 0.08, "tr": 0.08,
                       "uk": 0.04, "fa": 0.04, "ku": 0.02, "ti": 0.01}
FEMALE = {"Amina", "Fatima", "Layla", "Rania", "Nour", "Samira", "Huda", "Olena", "Iryna",
          "Oksana", "Nataliia", "Yuliia", "Kateryna", "Halyna", "Zahra", "Maryam", "Sara",
          "Fereshteh", "Parisa", "Nargis", "Rojda", "Berfin", "Dilan", "Hêvî", "Zozan", "Jînda",
          "Ayşe", "Elif", "Zeynep", "Fatma", "Hatice", "Svetlana", "Tatiana", "Anna", "Elena",
          "Olga", "Selam", "Helen", "Senait", "Mebrat", "Luwam", "Gulalai", "Malalai",
          "Zarmina", "Shabnam", "Hodan", "Faduma", "Ayaan", "Sagal", "Grace", "Blessing",
          "Abena", "Aminata", "Fatou", "Mariam", "Julia", "Laura", "Lea", "Sophie", "Marie",
          "Sabine", "Petra", "Ute", "Birgit", "Hannah", "Jana", "Gisela", "Lina", "Katharina"}
LEVELS = {"A0": 15, "A1": 35, "A2": 25, "B1": 15, "B2": 8, "C1": 2}


def pick(rng: random.Random, weights: dict[str, float]) -> str:
    """One key, drawn with the given weights."""
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def slots(rng: random.Random, low: int, high: int, favour: tuple[str, ...]) -> list[str]:
    """A few weekly slots, more often in the favoured parts of the day."""
    weights = [3 if slot.endswith(favour) else 1 for slot in SLOTS]
    chosen: set[str] = set()
    for _ in range(rng.randint(low, high)):
        chosen.add(rng.choices(SLOTS, weights=weights)[0])
    return sorted(chosen, key=SLOTS.index)


def newcomer_profile(rng: random.Random) -> dict:
    """A newcomer's languages, name, level, times and preferences."""
    first_language = pick(rng, LANGUAGE_MIX)
    languages = {first_language}
    if first_language == "uk" and rng.random() < 0.6:
        languages.add("ru")
    if first_language in ("fa", "ps") and rng.random() < 0.3:
        languages.add("fa" if first_language == "ps" else "ps")
    if first_language == "ku" and rng.random() < 0.4:
        languages.add(rng.choice(["ar", "tr"]))
    if rng.random() < 0.3:
        languages.add("en")
    if first_language in ("ar", "so") and rng.random() < 0.1:
        languages.add("fr")
    first = rng.choice(FIRST_NAMES[first_language])
    gender = "female" if first in FEMALE else "male"
    if rng.random() < 0.05:
        gender = rng.choice(["unspecified", "diverse"])
    buddy_gender = "any"
    if gender == "female" and rng.random() < 0.3:
        buddy_gender = "female"
    return {
        "display_name": f"{first} {rng.choice(LAST_NAMES[first_language])}",
        "languages": sorted(languages),
        "german_level": pick(rng, LEVELS),
        "availability": slots(rng, 3, 8, ("afternoon", "evening")),
        "mode": pick(rng, {"in_person": 45, "either": 45, "online": 10}),
        "gender": gender,
        "buddy_gender": buddy_gender,
        "topics": sorted(rng.sample(["everyday", "work", "school", "letters"], rng.randint(1, 3))),
    }


def volunteer_profile(rng: random.Random) -> dict:
    """A volunteer's name, languages besides German, times, reach and capacity."""
    first = rng.choice(VOLUNTEER_FIRST)
    gender = "female" if first in FEMALE else "male"
    languages = sorted(code for code, share in VOLUNTEER_LANGUAGES.items() if rng.random() < share)
    return {
        "display_name": f"{first} {rng.choice(VOLUNTEER_LAST)}",
        "languages": languages,
        "availability": slots(rng, 2, 5, ("evening", "sat-morning", "sun-afternoon")),
        "mode": pick(rng, {"either": 50, "in_person": 40, "online": 10}),
        "gender": gender,
        "buddy_gender": "female" if gender == "female" and rng.random() < 0.15 else "any",
        "capacity": pick(rng, {"1": 60, "2": 30, "3": 10}),
        "max_km": float(rng.choice([2, 3, 5, 5, 8, 10])),
        "motivation": rng.choice([
            "Ich möchte Menschen helfen, in Düsseldorf anzukommen.",
            "Ich habe selbst im Ausland gelebt und weiß, wie schwer der Anfang ist.",
            "Ich bin in Rente und habe Zeit für Gespräche.",
            "Ich studiere und möchte mich in meiner Stadt engagieren.",
        ]),
    }
