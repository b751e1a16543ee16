"""AlertRelay's routing against Alertmanager's own, as an SRE pastes a route: the same seeded random route trees,
matchers and regular expressions through `amtool config routes test` (Debian's Alertmanager 0.25, the oracle)
and `alertrelay routes test`, on label sets chosen to find where engines differ (newlines, Unicode digits and
letters, case folding, canonically equivalent spellings). Also: the same regular expressions accepted and
refused by both."""
import json
import pathlib
import random
import shutil
import subprocess

import pytest
import yaml

from conftest import BINARY, FIXTURES

AMTOOL = shutil.which("amtool")
pytestmark = pytest.mark.skipif(AMTOOL is None, reason="amtool (prometheus-alertmanager) is not installed")

SEED = 20261130
TREES = 40
LABEL_SETS_PER_TREE = 12
NAMES = ["severity", "team", "env", "alertname", "svc"]
RECEIVERS = ["r0", "r1", "r2", "r3", "r4"]
# Values where engines and comparisons disagree: a trailing newline, Arabic-Indic and fullwidth digits, ß and
# its case folding, the Kelvin sign, NFC and NFD spellings, braces, and plain ones that routes are written for.
VALUES = ["critical", "warning", "db", "web", "db-1", "web-22", "prod", "dev", "x", "x\n", "db\n", "\u0663", "\uff11",
          "ß", "SS", "ss", "K", "\u212a", "k", "é", "e\u0301", "a{b}", "ab", "", " ", "DiskFull", "Disk_Full", "día"]
# Regular expressions Go (RE2) and ICU-style engines read differently, and everyday ones.
REGEXES = [".*", ".+", "x", "db|web", "(db|web)-\\d+", "\\d", "\\d+", "[0-9]", "\\w+", "\\s", "[[:alpha:]]+", "\\pL+",
           "\\p{Greek}", "(?i)ss", "(?i)k", "(?i)DISK.*", "(?s).*", "x.", "db.*", "a{b}", "(?P<n>d)b", "(?U)d.+",
           "[^x]*", "\\bdb\\b", "Disk_?Full", "^db$", "d[ií]a", "\\x{e9}", "e\\x{301}", "crit.*|warn.*"]
# Refused by Go's regexp (so by Alertmanager), each for its own reason, and some only ICU-style engines refuse.
ACCEPTANCE = REGEXES + ["(?=x)", "(?!x)", "(a)\\1", "x{1001}", "(?<n>x)", "[z-a]", "(", "x**", "\\Q", "(?#c)", "\\Z",
                        "[[:word:]]", "\\C", "[\\C]", "\\\\C", "\\Qa\\C\\E", "x{2,1}", "\\p{Nope}", "(?i", "\\8"]


def safe(value: str) -> bool:
    """Values written inside a matcher's quotes: kept free of what its escaping would have to handle."""
    return "\\" not in value and '"' not in value and "\n" not in value


def random_matchers(rng: random.Random):
    matchers, match, match_re = [], {}, {}
    for _ in range(rng.randint(1, 2)):
        name = rng.choice(NAMES)
        kind = rng.random()
        if kind < 0.3:
            match[name] = rng.choice(VALUES)
        elif kind < 0.6:
            match_re[name] = rng.choice(REGEXES)
        else:
            op = rng.choice(["=", "!=", "=~", "!~"])
            pool = [v for v in (REGEXES if "~" in op else VALUES) if safe(v)]
            matchers.append(f'{name}{op}"{rng.choice(pool)}"')
    return matchers, match, match_re


def random_route(rng: random.Random, depth: int):
    route = {}
    matchers, match, match_re = random_matchers(rng)
    if matchers:
        route["matchers"] = matchers
    if match:
        route["match"] = match
    if match_re:
        route["match_re"] = match_re
    if rng.random() < 0.7:
        route["receiver"] = rng.choice(RECEIVERS)
    if rng.random() < 0.35:
        route["continue"] = True
    if depth < 3 and rng.random() < 0.5:
        route["routes"] = [random_route(rng, depth + 1) for _ in range(rng.randint(1, 3))]
    return route


def random_labels(rng: random.Random):
    return {name: rng.choice(VALUES) for name in rng.sample(NAMES, rng.randint(1, len(NAMES)))}


def quoted(name: str, value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'{name}="{escaped}"'


def amtool_receivers(config, labels):
    result = subprocess.run([AMTOOL, "config", "routes", "test", f"--config.file={config}",
                             *[quoted(n, v) for n, v in labels.items()]], capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr
    ordered = []
    for receiver in result.stdout.strip().split(","):
        if receiver not in ordered:  # amtool lists a receiver once per route that reached it; AlertRelay sends once
            ordered.append(receiver)
    return ordered


def alertrelay_receivers(config, labels):
    result = subprocess.run([BINARY, "routes", "test", "--config.file", str(config), "--json",
                             *[quoted(n, v) for n, v in labels.items()]], capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr
    return [entry["receiver"] for entry in json.loads(result.stdout)["receivers"]]


def write_configs(directory, route):
    receivers = [{"name": name} for name in RECEIVERS]
    alertmanager = directory / "alertmanager.yml"
    alertmanager.write_text(yaml.safe_dump({"route": route, "receivers": receivers}, allow_unicode=True))
    alertrelay = directory / "alertrelay.yml"
    alertrelay.write_text(yaml.safe_dump({"sources": {"am": {"auth": [{"type": "none"}]}}, "route": route,
                                          "receivers": receivers}, allow_unicode=True))
    return alertmanager, alertrelay


def test_random_route_trees_route_as_amtool_routes_them(tmp_path):
    rng = random.Random(SEED)
    disagreements, cases = [], 0
    for tree in range(TREES):
        root = {"receiver": "r0", "group_by": ["alertname"],
                "routes": [random_route(rng, 1) for _ in range(rng.randint(1, 4))]}
        directory = tmp_path / f"tree{tree}"
        directory.mkdir()
        alertmanager, alertrelay = write_configs(directory, root)
        for _ in range(LABEL_SETS_PER_TREE):
            labels = random_labels(rng)
            expected, got = amtool_receivers(alertmanager, labels), alertrelay_receivers(alertrelay, labels)
            cases += 1
            if expected != got:
                disagreements.append(f"tree {tree} {labels!r}: amtool {expected}, alertrelay {got}")
    assert not disagreements, f"{len(disagreements)} of {cases} cases differ (seed {SEED}):\n" + "\n".join(disagreements[:20])


@pytest.mark.parametrize("regex", ACCEPTANCE)
def test_a_regular_expression_is_accepted_exactly_when_alertmanager_accepts_it(tmp_path, regex):
    route = {"receiver": "r0", "routes": [{"match_re": {"team": regex}, "receiver": "r1"}]}
    alertmanager, alertrelay = write_configs(tmp_path, route)
    amtool = subprocess.run([AMTOOL, "check-config", str(alertmanager)], capture_output=True, text=True, timeout=30)
    ours = subprocess.run([BINARY, "check-config", "--syntax-only", str(alertrelay)], capture_output=True, text=True, timeout=30)
    assert (amtool.returncode == 0) == (ours.returncode == 0), f"amtool: {amtool.stdout}{amtool.stderr}\nalertrelay: {ours.stdout}"


PASTED = {
    # Alertmanager's own example, as Debian's package ships it (the file of the Alertmanager that is the oracle).
    "alertmanager-simple": pathlib.Path("/usr/share/doc/prometheus-alertmanager/examples/simple.yml"),
    "kube-prometheus-stack": FIXTURES / "alertmanager-configs" / "kube-prometheus-stack.yml",
}


@pytest.mark.parametrize("name", sorted(PASTED))
def test_real_configs_paste_unchanged_and_route_as_amtool_routes_them(tmp_path, name):
    source = PASTED[name]
    if not source.exists():
        pytest.skip(f"{source} is not installed (a Debian image that leaves out /usr/share/doc)")
    text = source.read_text()
    config = tmp_path / "alertrelay.yml"
    # AlertRelay's own section (where webhooks come in) added; everything Alertmanager's is left as it is.
    config.write_text(text + "\nsources:\n  alertmanager: {auth: [{type: none}]}\n")
    checked = subprocess.run([BINARY, "check-config", str(config)], capture_output=True, text=True, timeout=30)
    assert checked.returncode == 0, checked.stdout
    assert "WARNING: route.group_by" in checked.stdout and "WARNING: inhibit_rules" in checked.stdout
    assert "WARNING: templates[0]: ignored: *.tmpl files are Go templates" in checked.stdout

    document = yaml.safe_load(text)
    names = sorted({m for route in walk(document["route"]) for m in label_names(route)} | {"alertname", "severity"})
    rng = random.Random(SEED)
    values = VALUES + [v for route in walk(document["route"]) for v in label_values(route)]
    for _ in range(60):
        labels = {n: rng.choice(values) for n in rng.sample(names, rng.randint(1, len(names)))}
        assert amtool_receivers(source, labels) == alertrelay_receivers(config, labels), labels


def walk(route):
    yield route
    for child in route.get("routes", []):
        yield from walk(child)


def label_names(route):
    for matcher in route.get("matchers", []):
        yield matcher.split("=")[0].split("!")[0].strip()
    yield from route.get("match", {})
    yield from route.get("match_re", {})


def label_values(route):
    for matcher in route.get("matchers", []):
        yield matcher.split("=", 1)[1].lstrip("~").strip().strip('"')
    yield from route.get("match", {}).values()
    for regex in route.get("match_re", {}).values():
        yield from regex.strip("^$()").split("|")


# Matcher strings as people write them, and the parser's edge cases: braces alone or unbalanced, escapes in
# unquoted values, names with colons, empty pieces, spaces, stray quotes.
MATCHER_STRINGS = [
    'team="db"', "team=db", " team = db ", '{team="db"}', "{team=db", "team=db}", "{}", "", "team=db,", "team=db,,env=x",
    'team=~"d.*"', "team=~d.*", 'team!~"db|web"', "team!=db", r"team=x\\y", r'team=x\"y', r'team="x\\y"', r'team="x\"y"',
    r'team="x\ny"', r"team=x\ny", "a:b=c", "1team=db", "team", "=db", 'team="db', 'team=db"', 'team="db" env=x',
    'team="a,b"', "team=a,b", '{team="db", env!="prod"}', 'team=~"\\d+"', r"team=~\d+", 'team=~"(?i)DB"', "team==db",
    "team=~", 'team=""', "team=", "tEaM_2=db", r"team=db\\", 'team=" db "', "team=é", 'team=~"é|e\u0301"',
]
MATCHER_VALUES = ["db", "DB", "x\\y", 'x"y', "x\ny", "xny", "a,b", "a", "b", "d", "", " db ", "12", "db\\", "é", "e\u0301", "prod", "x"]


@pytest.mark.parametrize("matcher", MATCHER_STRINGS)
def test_a_matcher_is_read_as_alertmanagers_parser_reads_it(tmp_path, matcher):
    route = {"receiver": "r0", "routes": [{"matchers": [matcher], "receiver": "r1"}]}
    alertmanager, alertrelay = write_configs(tmp_path, route)
    amtool = subprocess.run([AMTOOL, "check-config", str(alertmanager)], capture_output=True, text=True, timeout=30)
    ours = subprocess.run([BINARY, "check-config", "--syntax-only", str(alertrelay)], capture_output=True, text=True, timeout=30)
    assert (amtool.returncode == 0) == (ours.returncode == 0), f"amtool: {amtool.stdout}{amtool.stderr}\nalertrelay: {ours.stdout}"
    if amtool.returncode != 0:
        return
    for labels in [{"team": team, "env": "prod"} for team in MATCHER_VALUES] + [{"team": "db", "env": "x"}]:
        assert amtool_receivers(alertmanager, labels) == alertrelay_receivers(alertrelay, labels), (matcher, labels)
