"""Writes the probing datasets of notebooks-data/ from templates (deterministic: run it again, get the same files).

    python3 notebooks-data/make_datasets.py

Every line is {"text", "label", "group"}; the group is the template (code-vs-prose, sentiment) or the
fact (true-false), so `phiscope probe sweep --split group` holds out whole templates or facts.
"""
import json
import random
from pathlib import Path

HERE = Path(__file__).resolve().parent

NAMES = ["total", "count", "items", "values", "result", "data", "index", "name", "path", "size", "score", "buffer"]
FUNCS = ["load", "parse", "update", "merge", "scale", "render", "check", "flatten", "resolve", "encode", "collect", "split"]
NUMBERS = [0, 1, 2, 3, 5, 8, 10, 16, 42, 100]

CODE_TEMPLATES = {
    "def-return": lambda r: f"def {r.choice(FUNCS)}_{r.choice(NAMES)}({r.choice(NAMES)}):\n    return {r.choice(NAMES)} + {r.choice(NUMBERS)}",
    "for-loop": lambda r: f"for {r.choice(['i', 'j', 'k'])} in range({r.choice(NUMBERS[2:])}):\n    {r.choice(NAMES)}.append({r.choice(['i', 'j', 'k'])})",
    "if-raise": lambda r: f"if {r.choice(NAMES)} is None:\n    raise ValueError(\"{r.choice(NAMES)} is required\")",
    "import": lambda r: f"import {r.choice(['os', 'sys', 'json', 're', 'math'])}\nfrom {r.choice(['typing', 'pathlib', 'collections'])} import {r.choice(['List', 'Path', 'Counter', 'Optional', 'deque'])}",
    "comprehension": lambda r: f"{r.choice(NAMES)} = [{r.choice(['x', 'v'])} * {r.choice(NUMBERS[1:])} for {r.choice(['x', 'v'])} in {r.choice(NAMES)} if {r.choice(['x', 'v'])}]",
    "class": lambda r: f"class {r.choice(FUNCS).capitalize()}{r.choice(['Config', 'Error', 'Reader', 'Cache'])}:\n    def __init__(self, {r.choice(NAMES)}):\n        self.{r.choice(NAMES)} = {r.choice(NAMES)}",
    "dict-get": lambda r: f"{r.choice(NAMES)} = {r.choice(NAMES)}.get(\"{r.choice(NAMES)}\", {r.choice(NUMBERS)})",
    "with-open": lambda r: f"with open({r.choice(NAMES)}, \"{r.choice(['r', 'w', 'rb'])}\") as f:\n    {r.choice(NAMES)} = f.read()",
}

SUBJECTS = ["My neighbour", "The old bakery", "Our teacher", "A small boat", "The city council", "Her grandmother",
            "The morning train", "A tired hiker", "The village choir", "My cousin"]
PROSE_TEMPLATES = {
    "weather": lambda r: f"{r.choice(SUBJECTS)} waited for the rain to stop before walking down to the {r.choice(['harbour', 'market', 'river', 'station'])}.",
    "story": lambda r: f"Last {r.choice(['spring', 'winter', 'summer', 'autumn'])}, {r.choice(SUBJECTS).lower()} found a letter hidden behind the {r.choice(['clock', 'bookshelf', 'mirror', 'stove'])}.",
    "opinion": lambda r: f"I think {r.choice(SUBJECTS).lower()} deserves more praise for {r.choice(['the garden', 'the festival', 'the new library', 'the repairs'])} than anyone admits.",
    "travel": lambda r: f"The road to the {r.choice(['coast', 'mountains', 'border', 'lake'])} is long, but the views of the {r.choice(['valley', 'fields', 'cliffs', 'forest'])} make it worthwhile.",
    "routine": lambda r: f"Every {r.choice(['Monday', 'evening', 'weekend', 'morning'])}, {r.choice(SUBJECTS).lower()} makes tea and reads the newspaper by the window.",
    "history": lambda r: f"The {r.choice(['bridge', 'castle', 'church', 'mill'])} was built in the {r.choice(['twelfth', 'sixteenth', 'eighteenth'])} century and still stands today.",
    "advice": lambda r: f"If you ever visit the {r.choice(['island', 'museum', 'valley', 'old town'])}, bring good shoes and arrive before the crowds.",
    "news": lambda r: f"{r.choice(SUBJECTS)} announced on {r.choice(['Tuesday', 'Friday', 'Sunday'])} that the {r.choice(['park', 'school', 'pool', 'theatre'])} will reopen next month.",
}

CAPITALS = [("France", "Paris"), ("Italy", "Rome"), ("Japan", "Tokyo"), ("Spain", "Madrid"), ("Egypt", "Cairo"),
            ("Germany", "Berlin"), ("Kenya", "Nairobi"), ("Canada", "Ottawa"), ("Peru", "Lima"), ("Norway", "Oslo")]


def fact_pairs(r):
    """(group, true statement, false statement) from a few templates."""
    pairs = []
    for i, (country, city) in enumerate(CAPITALS):
        wrong = r.choice([c for _, c in CAPITALS if c != city])
        pairs.append((f"capital-{country}", f"The capital of {country} is {city}.", f"The capital of {country} is {wrong}."))
    for i in range(20):
        a, b = r.randint(2, 20), r.randint(2, 20)
        off = r.choice([-2, -1, 1, 2, 3])
        pairs.append((f"sum-{a}-{b}", f"{a} plus {b} equals {a + b}.", f"{a} plus {b} equals {a + b + off}."))
    for i in range(15):
        a, b = r.sample(range(1, 60), 2)
        big, small = max(a, b), min(a, b)
        pairs.append((f"compare-{big}-{small}", f"{big} is greater than {small}.", f"{small} is greater than {big}."))
    for word in ["abc", "hello", "python", "data", "x", "list", "code", "tree", "phiscope", "range"]:
        off = r.choice([1, 2, 3])
        pairs.append((f"len-{word}", f"In Python, len(\"{word}\") is {len(word)}.", f"In Python, len(\"{word}\") is {len(word) + off}."))
    for i in range(10):
        a = r.randint(1, 9)
        pairs.append((f"square-{a}", f"The square of {a} is {a * a}.", f"The square of {a} is {a * a + r.choice([1, 2, a])}."))
    return pairs


THINGS = ["film", "hotel", "pizza", "concert", "book", "phone", "haircut", "museum tour", "coffee", "train ride"]
GOOD = ["wonderful", "delightful", "excellent", "charming", "superb", "lovely", "brilliant", "pleasant"]
BAD = ["awful", "dreadful", "terrible", "disappointing", "dull", "miserable", "horrible", "unpleasant"]
SENTIMENT_TEMPLATES = [
    ("The {thing} was {adj}, {tail}.", {"positive": ["and I would happily go again", "better than I hoped"],
                                        "negative": ["and I want my money back", "worse than I feared"]}),
    ("What {article} {adj} {thing}; {tail}.", {"positive": ["it made my whole week", "everyone smiled"],
                                      "negative": ["it ruined my whole week", "nobody smiled"]}),
    ("Honestly, the {thing} felt {adj} from start to finish.", {"positive": [""], "negative": [""]}),
]


def write(name, rows, readme):
    folder = HERE / name
    folder.mkdir(exist_ok=True)
    with open(folder / f"{name}.jsonl", "w") as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
    (folder / "README.md").write_text(readme)


def main():
    r = random.Random(2026)
    rows = []
    for template, make in CODE_TEMPLATES.items():
        for _ in range(12):
            rows.append({"text": make(r), "label": "code", "group": "code:" + template})
    for template, make in PROSE_TEMPLATES.items():
        for _ in range(12):
            rows.append({"text": make(r), "label": "prose", "group": "prose:" + template})
    r.shuffle(rows)
    write("code-vs-prose", dedupe(rows), README_CODE)

    rows = []
    for group, true, false in fact_pairs(r):
        rows.append({"text": true, "label": "true", "group": group})
        rows.append({"text": false, "label": "false", "group": group})
    r.shuffle(rows)
    write("true-false", dedupe(rows), README_FACTS)

    rows = []
    for t, (template, tails) in enumerate(SENTIMENT_TEMPLATES):
        for thing in THINGS:
            for label, adjectives in (("positive", GOOD), ("negative", BAD)):
                for adj in r.sample(adjectives, 3):
                    tail = r.choice(tails[label])
                    article = "an" if adj[0] in "aeiou" else "a"
                    rows.append({"text": template.format(thing=thing, adj=adj, tail=tail, article=article),
                                 "label": label, "group": thing})
    r.shuffle(rows)
    write("sentiment", dedupe(rows), README_SENTIMENT)


def dedupe(rows):
    seen = set()
    out = []
    for row in rows:
        if row["text"] not in seen:
            seen.add(row["text"])
            out.append(row)
    return out


README_CODE = """# code-vs-prose

Short Python snippets (label `code`) and English sentences (label `prose`), built from 8 code and 8 prose
templates with random names, numbers and places (`make_datasets.py`, seed 2026). `group` is the template
(`code:for-loop`, `prose:travel`, ...), so `--split group` tests whether a probe generalises to templates
it has not seen. A Python-trained model such as nanophi-py should separate the two almost at once.
"""

README_FACTS = """# true-false

Factual statements and their false twins: capitals, sums, comparisons, `len()` of Python strings and
squares (`make_datasets.py`, seed 2026). Label `true` or `false`; `group` names the fact, so both versions
of a fact stay on the same side of a `--split group`. Arithmetic truth is hard for small models: expect
nanophi-py near chance here, and Phi-2 well above it in its middle layers.
"""

README_SENTIMENT = """# sentiment

Positive and negative one-sentence reviews of ten things (films, hotels, coffee, ...) from three
templates with sentiment adjectives and clauses (`make_datasets.py`, seed 2026). `group` is the thing
reviewed, so `--split group` holds out whole topics. Also a source for difference-of-means steering
vectors (`--toward positive`).
"""

if __name__ == "__main__":
    main()
