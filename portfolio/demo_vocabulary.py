"""Per-stream vocabularies for the demo epics' lean business cases, so no two streams (and few
epics of one stream) read the same: what the solution is, what it replaces, what makes it
different, the outcome it promises, how it is measured, what it must respect and where it stops.

Picked by a random generator seeded with the epic's key, not the seeder's shared one: the choice is
the same on every run and adding a word here moves no other random decision of the demo.
"""

import random

# slug: {field: choices}. Generated streams (`--scale`) borrow the GENERIC vocabulary.
VOCABULARY = {
    "payments": {
        "is_a": ("real-time payment service", "card platform feature", "merchant service", "payment rail"),
        "unlike": ("next-day batch settlement", "disputes handled by phone", "the card scheme's default flow"),
        "our_solution": (
            "settles on the instant rail and reconciles itself",
            "lets customers act in the app without calling us",
            "prices per transaction with no set-up fee",
        ),
        "outcome": ("payment volume grows {n} %", "card churn falls {n} %", "dispute calls fall {n} %"),
        "indicators": ("payments per active customer; failed payment rate", "time to settle; chargeback rate"),
        "nfr": ("99.95 % availability; PSD3 strong customer authentication", "p99 authorisation under 150 ms"),
        "in_scope": ("Retail and SME customers in the euro area", "Debit and credit cards"),
        "out_of_scope": ("Corporate treasury payments", "Cash and cheques"),
    },
    "onboarding": {
        "is_a": ("self-service sign-up journey", "verification service", "compliance workflow"),
        "unlike": ("a branch visit with paper forms", "manual document checks in the back office"),
        "our_solution": (
            "verifies identity in minutes from a phone",
            "reuses what we already know about the customer",
            "asks only the questions the regulation requires",
        ),
        "outcome": ("completed sign-ups rise {n} %", "time to first transaction halves", "drop-out falls {n} %"),
        "indicators": ("sign-up completion rate; time to verified account", "manual review rate; abandonment step"),
        "nfr": ("eIDAS-qualified identification; GDPR data minimisation", "works on a five-year-old phone"),
        "in_scope": ("Personal current accounts", "Sole traders and small companies"),
        "out_of_scope": ("Private banking clients", "Non-resident customers"),
    },
    "lending": {
        "is_a": ("credit product", "decisioning capability", "servicing self-service"),
        "unlike": ("underwriters re-keying applications", "decisions that take two weeks", "paper loan agreements"),
        "our_solution": (
            "decides most applications automatically and explains why",
            "prices risk per customer from our own data",
            "lets borrowers change their plan without a call",
        ),
        "outcome": ("loan book grows {n} %", "time to decision falls to one day", "arrears fall {n} %"),
        "indicators": ("approval rate; time to decision", "applications per week; early arrears rate"),
        "nfr": ("EBA loan origination guidelines; explainable decisions", "every decision auditable for 7 years"),
        "in_scope": ("Unsecured loans up to 250,000", "SME working-capital loans"),
        "out_of_scope": ("Commercial real estate", "Syndicated lending"),
    },
    "mobile": {
        "is_a": ("app feature", "in-app experience", "mobile capability"),
        "unlike": ("the desktop-only web banking", "a generic notification for everyone", "password-only login"),
        "our_solution": (
            "is designed for one thumb and a screen reader",
            "personalises what each customer sees",
            "ships every two weeks on iOS and Android together",
        ),
        "outcome": (
            "monthly active users rise {n} %",
            "app rating reaches 4.6",
            "calls to the contact centre fall {n} %",
        ),
        "indicators": ("weekly active users; feature adoption", "crash-free sessions; store rating"),
        "nfr": ("WCAG 2.2 AA; crash-free sessions above 99.8 %", "cold start under 2 s on mid-range phones"),
        "in_scope": ("iOS and Android apps", "Retail customers"),
        "out_of_scope": ("Smart watches", "The business banking app"),
    },
    "data": {
        "is_a": ("data platform capability", "governed data product", "analytics service"),
        "unlike": ("nightly file drops between systems", "spreadsheets rebuilt by hand every month"),
        "our_solution": (
            "gives every data set a named owner and a quality score",
            "streams events in real time to every consumer",
            "answers questions without a ticket to the data team",
        ),
        "outcome": ("report preparation time falls {n} %", "data incidents fall {n} %", "self-served questions double"),
        "indicators": ("data sets with an owner; failed quality checks", "queries per analyst; time to insight"),
        "nfr": ("BCBS 239 lineage; GDPR purpose limitation", "freshness under 15 minutes"),
        "in_scope": ("Customer, product and transaction data", "Risk and finance reporting"),
        "out_of_scope": ("Unstructured documents", "Third-party market data"),
    },
    "core-ops": {
        "is_a": ("platform modernisation", "operational resilience programme", "run-cost reduction"),
        "unlike": (
            "an overnight batch on the mainframe",
            "manual regulatory spreadsheets",
            "quarterly big-bang releases",
        ),
        "our_solution": (
            "migrates one ledger module at a time behind the same interface",
            "proves recovery with scheduled failure tests",
            "cuts hosting cost while raising availability",
        ),
        "outcome": ("run cost falls {n} %", "batch window shrinks {n} %", "major incidents fall {n} %"),
        "indicators": ("batch end time; incidents per month", "hosting cost per account; recovery test results"),
        "nfr": ("DORA (EU) ICT risk requirements; RTO 2 h, RPO 15 min", "no change to the ledger's interface"),
        "in_scope": ("General ledger and overnight batch", "Regulatory reporting"),
        "out_of_scope": ("Trading systems", "Branch hardware"),
    },
    "hr": {
        "is_a": ("HR system", "people service", "employee self-service"),
        "unlike": ("emails and spreadsheets between HR and managers", "a payroll bureau's monthly files"),
        "our_solution": (
            "gives managers and staff one place to act",
            "pays and reports from one record per employee",
            "suggests the next step from each person's skills",
        ),
        "outcome": ("time to hire falls {n} %", "payroll corrections fall {n} %", "internal moves rise {n} %"),
        "indicators": ("open roles; days to offer", "payroll errors per run; course completions"),
        "nfr": ("GDPR for employee data; works council approval", "single sign-on with the staff directory"),
        "in_scope": ("All permanent staff", "Contractors' onboarding"),
        "out_of_scope": ("Pension administration", "Subsidiaries abroad"),
    },
    "finance": {
        "is_a": ("finance process automation", "controlling capability", "treasury tool"),
        "unlike": ("month-end close in spreadsheets", "paper purchase orders", "cost allocated by headcount"),
        "our_solution": (
            "reconciles continuously instead of at month end",
            "charges every cost to the value stream that caused it",
            "forecasts cash from live bank and ledger data",
        ),
        "outcome": ("close takes {n} days less", "invoice processing cost falls {n} %", "forecast error falls {n} %"),
        "indicators": ("days to close; manual journals", "invoices per FTE; forecast accuracy"),
        "nfr": ("IFRS audit trail; segregation of duties", "SOX-style access reviews"),
        "in_scope": ("Group accounting and controlling", "Procurement under 50,000"),
        "out_of_scope": ("Tax filing", "Investor relations"),
    },
}
GENERIC = {
    "is_a": ("digital service", "platform capability"),
    "unlike": ("today's manual process", "the current vendor tool"),
    "our_solution": ("is self-service and measurable", "reuses the shared platform"),
    "outcome": ("adoption reaches {n} %", "cost to serve falls {n} %"),
    "indicators": ("weekly active users; completion rate",),
    "nfr": ("99.9 % availability; GDPR compliant",),
    "in_scope": ("Retail channels",),
    "out_of_scope": ("Corporate clients",),
}


def business_case(*, slug: str, key: str, idea: tuple, depth: int) -> dict[str, str]:
    """The hypothesis statement and business-case text of one demo epic, as deep as its column
    needs (`depth` = its position on the board: reviewing 1, analyzing 2, ...)."""
    words = VOCABULARY.get(slug, GENERIC)
    rng = random.Random(f"business-case-{key}")

    def pick(field: str) -> str:
        return rng.choice(words[field])

    statement = depth >= 1
    case = depth >= 2
    outcome = pick("outcome").format(n=rng.choice((8, 10, 12, 15, 20, 25, 30)))
    return {
        "hypothesis_is_a": pick("is_a") if statement else "",
        "hypothesis_unlike": pick("unlike") if statement else "",
        "hypothesis_our_solution": pick("our_solution") if statement else "",
        "business_outcome_hypothesis": f"If {idea[1]} adopt the {idea[3]}, {outcome} within two quarters"
        if case
        else "",
        "leading_indicators": pick("indicators") if case else "",
        "nonfunctional_requirements": pick("nfr") if case else "",
        "in_scope": pick("in_scope") if case else "",
        "out_of_scope": pick("out_of_scope") if case else "",
    }
