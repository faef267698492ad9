"""A deterministic corpus: N career-advice articles of about 700 words, four tips each.

Article i is the same whatever N is (each has its own seeded random generator), so the corpus at
N=100 is a prefix of the one at N=1000 and growth is measured on like-for-like content. The same
articles are written in two variants: `tips` uses the site's "/// tip | Title" blocks (plain
Pelican gets these very files and shows the tip syntax as plain text), `headings` writes each tip
as an ordinary "## Title" section, for the cost of the tip boxes alone.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

TIPS = "tips"
HEADINGS = "headings"
VARIANTS = (TIPS, HEADINGS)
TIP_KINDS = ("tip", "warning", "example", "action")
FIRST_DATE = datetime(2020, 1, 6, 9, 0)

CATEGORIES = (
    "Job Search",
    "Interviews",
    "Resumes",
    "Negotiation",
    "Career Growth",
    "Career Change",
    "Workplace",
    "Networking",
)
AUTHORS = ("Maya Okafor", "Tom Lindqvist", "Priya Raman", "Sam Whitfield", "Lucia Moreno")
_TAG_WORDS = (
    "applications cover-letters rejection resilience salary offers promotion feedback "
    "one-on-ones managers mentoring linkedin referrals portfolio remote-work interviews "
    "star-method questions first-job graduates career-change skills learning confidence "
    "burnout boundaries recruiters contracts freelancing leadership teamwork presentations "
    "writing habits planning goals reviews references notice-period"
)
TAGS = tuple(_TAG_WORDS.split())
SUBJECTS = (
    "a job search",
    "a first interview",
    "a salary offer",
    "a career change",
    "a promotion case",
    "a hard conversation",
    "a cover letter",
    "a resume",
    "a notice period",
    "a new manager",
    "a portfolio",
    "a networking event",
    "a performance review",
    "a remote role",
    "a counter-offer",
    "a skills gap",
)
VERBS = (
    "Planning",
    "Handling",
    "Preparing for",
    "Getting through",
    "Making the most of",
    "Thinking clearly about",
    "Recovering from",
    "Talking about",
)
HEADINGS_POOL = (
    "Start with what you already know",
    "Decide what good looks like",
    "Write it down before you speak",
    "Ask for specifics",
    "Keep a short list",
    "Make the first move small",
    "Check the numbers",
    "Follow up within a week",
    "Plan for the awkward moment",
    "Learn from the last time",
    "Measure what changed",
    "Say no to the wrong things",
)
SENTENCES = (
    "Most hiring managers read an application in under a minute, so the first lines carry it.",
    "A clear goal for the week beats a vague plan for the year.",
    "Write down three results you are proud of and the numbers behind each one.",
    "Recruiters remember people who follow up politely and briefly.",
    "Rejection is information about one process on one day, not a verdict on you.",
    "Before any conversation about pay, know the range for the role in your city.",
    "Ask the interviewer what success looks like after six months in the job.",
    "A short, specific thank-you note is still rare enough to stand out.",
    "Practise your answers aloud; the words change once you hear them.",
    "Keep a simple spreadsheet of every application, contact and next step.",
    "Your manager cannot support a goal they have never heard about.",
    "Small, regular conversations prevent large, surprising ones.",
    "Trade vague adjectives for concrete verbs and measurable outcomes.",
    "Two focused applications a day beat twenty rushed ones a week.",
    "Silence after an offer is not rudeness; it gives both sides time to think.",
    "Find one person who does the job you want and ask how they got there.",
    "A portfolio with three finished pieces says more than ten drafts.",
    "Read the job advert again the night before the interview.",
    "When you negotiate, give one number and one reason for it.",
    "Treat every interview as practice for the one you really want.",
    "People hire colleagues they can imagine working beside on a hard day.",
    "If the feedback is unclear, ask for one example of what would have been better.",
    "A career change rarely starts from zero: list the skills that travel with you.",
    "Set a time limit on job boards, or they will fill the whole day.",
    "Leave every job on good terms; the industry is smaller than it looks.",
    "Prepare two questions that show you have read about the team's recent work.",
    "Celebrate the applications you sent, not only the answers you receive.",
    "Learning in public, through notes or short posts, builds a useful record.",
    "Burnout shows up first in sleep and patience, long before it shows in work.",
    "A mentor does not need to be senior; they need to be honest and available.",
    "Most offers have more room in them than the first figure suggests.",
    "Reference checks go faster when you have warned your referees in advance.",
    "Numbers make achievements believable: time saved, money earned, people helped.",
    "Remote roles still reward people who make their work visible.",
    "Ending an answer with the result keeps the listener with you.",
    "Write your notice letter once, calmly, and keep it short.",
)
LIST_ITEMS = (
    "the role, the team and the date you applied",
    "one result with a number attached",
    "the name of the person you spoke to",
    "a question you still want answered",
    "the salary range you researched",
    "what you would do differently next time",
    "a skill you used that is not on your resume",
    "the next step and when you will take it",
    "who could introduce you to the team",
    "a story that shows how you handle pressure",
)
TIP_TITLES = (
    "Send two applications for every rejection",
    "Ask for one specific number",
    "Name the result first",
    "Book the follow-up before you leave",
    "Keep a brag document",
    "Do not apologise for negotiating",
    "Rehearse the first minute",
    "Research the team, not only the company",
    "Ask what would have changed the decision",
    "Protect one focused hour a day",
    "Turn duties into outcomes",
    "Say the number out loud first",
    "Write the thank-you note the same day",
    "Bring two questions of your own",
    "Check the whole package, not only pay",
    "Close every interview with a summary",
)
ACTIONS = (
    "Send two applications this week.",
    "Write your number and your reason on a card.",
    "Rewrite one resume bullet to start with a result.",
    "Book a fifteen-minute call with someone in the role you want.",
    "List three achievements with numbers before Friday.",
)


@dataclass(frozen=True)
class ArticleSpec:
    """What the stories seeder needs to know about an article."""

    index: int
    slug: str
    title: str


def _slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def article_spec(index: int) -> ArticleSpec:
    """Title and slug of article `index`; the number in the slug keeps every slug unique."""
    rng = random.Random(f"title-{index}")
    title = f"{rng.choice(VERBS)} {rng.choice(SUBJECTS)}, part {index + 1}"
    return ArticleSpec(index, f"{_slugify(title)}", title)


def _paragraph(rng: random.Random, sentences: int) -> str:
    return " ".join(rng.choice(SENTENCES) for _ in range(sentences))


def _tip_block(rng: random.Random, kind: str, title: str, variant: str, with_action: bool) -> str:
    body = _paragraph(rng, 4)
    action = rng.choice(ACTIONS) if with_action else None
    if variant == HEADINGS:
        lines = [f"## {title}", "", body]
        if action:
            lines += ["", f"Try this: {action}"]
        return "\n".join(lines)
    header = [f"/// {kind} | {title}"]
    if action:
        header.append(f"    action: {action}")
    return "\n".join([*header, "", body, "///"])


def article_markdown(index: int, variant: str = TIPS) -> str:
    """The Markdown source of article `index`, about 700 words, in the given variant."""
    if variant not in VARIANTS:
        raise ValueError(f"unknown corpus variant {variant!r}; use one of {VARIANTS}")
    spec = article_spec(index)
    rng = random.Random(f"article-{index}")
    date = FIRST_DATE + timedelta(hours=7 * index)
    tags = ", ".join(rng.sample(TAGS, 3))
    meta = [
        f"Title: {spec.title}",
        f"Date: {date:%Y-%m-%d %H:%M}",
        f"Category: {CATEGORIES[index % len(CATEGORIES)]}",
        f"Tags: {tags}",
        f"Slug: {spec.slug}",
        f"Authors: {AUTHORS[index % len(AUTHORS)]}",
        f"Summary: {_paragraph(rng, 2)}",
    ]
    headings = rng.sample(HEADINGS_POOL, 3)
    tip_titles = rng.sample(TIP_TITLES, 4)
    kinds = [TIP_KINDS[(index + k) % len(TIP_KINDS)] for k in range(4)]
    blocks = [_paragraph(rng, 4)]
    for section, heading in enumerate(headings):
        blocks += [f"## {heading}", _paragraph(rng, 4), _paragraph(rng, 3)]
        if section == 1:
            blocks.append(
                "\n".join(f"{n}. {item}" for n, item in enumerate(rng.sample(LIST_ITEMS, 4), 1))
            )
        else:
            blocks.append("\n".join(f"- {item}" for item in rng.sample(LIST_ITEMS, 4)))
        blocks.append(_paragraph(rng, 2))
        tips_here = tip_titles[section : section + 1] if section < 2 else tip_titles[2:]
        for offset, title in enumerate(tips_here):
            number = min(section, 2) + offset
            kind = kinds[number]
            blocks.append(_tip_block(rng, kind, title, variant, with_action=(kind == "action")))
    blocks.append(_paragraph(rng, 2))
    return "\n".join(meta) + "\n\n" + "\n\n".join(blocks) + "\n"


PRIVACY_PAGE = """Title: Comment policy and privacy
Slug: privacy
Summary: Which reader stories we publish and what we keep.

The story form on every article links here, so the benchmark corpus has this page too.
"""


def write_corpus(folder: Path, count: int, variant: str = TIPS) -> list[ArticleSpec]:
    """Write `count` articles and the privacy page under folder/articles and folder/pages."""
    articles = folder / "articles"
    pages = folder / "pages"
    articles.mkdir(parents=True, exist_ok=True)
    pages.mkdir(parents=True, exist_ok=True)
    specs = []
    for index in range(count):
        spec = article_spec(index)
        (articles / f"{spec.slug}.md").write_text(article_markdown(index, variant), "utf-8")
        specs.append(spec)
    (pages / "privacy.md").write_text(PRIVACY_PAGE, "utf-8")
    return specs


def word_count(markdown: str) -> int:
    """Words in the body (below the metadata), for the report's corpus description."""
    body = markdown.split("\n\n", 1)[1]
    return len(re.findall(r"[A-Za-z0-9'\u2019-]+", body))
