"""A small fictional knowledge base (a bike shop) for retrieval and responder tests, with questions it
answers and questions it does not."""

from chatbot.responders.base import Passage
from chatbot.retrieval import PassageIndex, split_passages

ARTICLES = [
    (
        "Bike servicing",
        "A standard service costs $60 and includes brake and gear adjustment, chain cleaning and a safety "
        "check. Book a service online or call the workshop. Most services are ready within 2 days.",
    ),
    (
        "Test rides",
        "You can test ride any bike in stock at the shop. Bring a photo ID. Test rides last up to 30 "
        "minutes. Electric bike test rides need a booking.",
    ),
    (
        "Choosing a frame size",
        "Choose your frame size from your height and inside leg measurement. Our size chart lists frames "
        "from XS to XL. If you are between two sizes, pick the smaller frame for a nimble ride.",
    ),
    (
        "Bike delivery",
        "Bikes are delivered 90% assembled in a large box. Delivery takes 4 to 6 working days. You fit "
        "the pedals and handlebars yourself; the tools are included in the box.",
    ),
    (
        "Returning a bike",
        "Unridden bikes can be returned within 14 days of delivery for a refund. Contact us to arrange a "
        "collection. The collection fee of $25 is deducted from your refund.",
    ),
    (
        "Frame warranty",
        "Frames carry a lifetime warranty for the original owner. Components such as brakes, gears and "
        "tyres are covered for 1 year against defects.",
    ),
    (
        "Cycle to work vouchers",
        "We accept Cycle to Work vouchers from all major providers. Enter the voucher code at checkout. "
        "The voucher must cover the full price of the bike.",
    ),
    (
        "Puncture repair",
        "Inner tube punctures are repaired while you wait for $12. Tubeless tyres can be resealed with "
        "fresh sealant in the workshop.",
    ),
    (
        "Opening hours",
        "The shop is open Monday to Saturday from 9am to 6pm and Sunday from 10am to 4pm. The workshop "
        "closes one hour before the shop.",
    ),
    (
        "Paying in instalments",
        "Spread the cost of a bike over 12 months at 0% interest on orders over $500. Instalment plans "
        "are subject to a credit check.",
    ),
]

# (question, title of the article that answers it)
ANSWERABLE = [
    ("How much does a bike service cost?", "Bike servicing"),
    ("Can I test ride an electric bike?", "Test rides"),
    ("What frame size should I get?", "Choosing a frame size"),
    ("How long does delivery take?", "Bike delivery"),
    ("Can I return a bike I never rode?", "Returning a bike"),
    ("Is there a warranty on the frame?", "Frame warranty"),
    ("Do you take cycle to work vouchers?", "Cycle to work vouchers"),
    ("How much to fix a puncture?", "Puncture repair"),
    ("When are you open on Sunday?", "Opening hours"),
    ("Can I pay in instalments?", "Paying in instalments"),
    ("My tyre has a puncture, can you repair it today?", "Puncture repair"),
    ("Are the brakes covered by the warranty?", "Frame warranty"),
]

UNANSWERABLE = [
    "Do you rent kayaks for the weekend?",
    "Can I store my bike in your garage over the winter?",
    "Do you sell ski boots?",
    "What is your policy on recycling old carbon frames?",
    "Can you recommend a cycling route along the coast?",
    "Do you organise group rides on weekends?",
]


def bike_shop_passages() -> list[Passage]:
    passages: list[Passage] = []
    for article_id, (title, body) in enumerate(ARTICLES, start=1):
        passages.extend(split_passages(article_id, title, body, f"https://bikes.example/help/{article_id}"))
    return passages


def bike_shop_index() -> PassageIndex:
    return PassageIndex(bike_shop_passages())
