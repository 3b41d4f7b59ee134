"""Command line: `python -m dashboard validate | geocode | build | export | import | draft | synth`."""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import os
import sys
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dashboard.problems import DataError, Severity

if TYPE_CHECKING:
    from dashboard.readers import corpus as corpus_mod


class EngineSetting(argparse.Action):
    """`--engine`: a setting the engines' registry accepts, checked when given.

    The registry is imported only when the option is given or its help shown,
    so commands that query nothing (`draft`, `validate`) do not load the store's libraries.
    """

    @property
    def help(self) -> str:
        from dashboard import engines  # noqa: PLC0415 - see the class's docstring

        return f"query engine: {', '.join(engines.forms())} (default: $CONTACT_ATLAS_ENGINE, else duckdb)"

    @help.setter
    def help(self, value: str | None) -> None:
        pass

    def __call__(self, parser, namespace, values, option_string=None) -> None:
        from dashboard import engines  # noqa: PLC0415

        try:
            setattr(namespace, self.dest, engines.parse(str(values), option_string or self.dest)[1].text)
        except engines.SettingError as exc:
            parser.error(str(exc))


def _err(*lines: object) -> None:
    for line in lines:
        sys.stderr.write(f"{line}\n")


def _load(args: argparse.Namespace) -> corpus_mod.Corpus:
    from dashboard.readers import corpus as corpus_mod  # noqa: PLC0415 - `import` needs no loader

    return corpus_mod.load(corpus_mod.data_dir(args.data))


def cmd_validate(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    c = _load(args)
    for p in c.problems:
        print(p)
    took = time.perf_counter() - started
    if c.errors:
        print(f"{c.skipped_summary()} in {c.root}; valid records: {c.summary()}")
        return 1
    warnings = len(c.problems)
    tail = f"; {warnings} warning(s)" if warnings else ""
    print(f"ok: {c.summary()} in {c.root} ({took:.2f} s){tail}")
    return 0


def cmd_geocode(args: argparse.Namespace) -> int:
    from dashboard import geocache, geocode  # noqa: PLC0415 - keeps validate/export light

    c = _load(args)
    nominatim = None
    if args.online:
        agent = args.user_agent or os.environ.get("CONTACT_ATLAS_USER_AGENT") or geocode.DEFAULT_USER_AGENT
        nominatim = geocode.make_nominatim(agent, args.nominatim_domain, args.nominatim_scheme)
    try:
        previous = geocache.read_cache(c.root)
    except ValueError as exc:
        _err(f"{exc}; starting afresh")
        previous = {}
    report = geocode.geocode_places(c.places, file="places", previous=previous, nominatim=nominatim)
    for note in report.notes:
        _err(note)
    for pid, e in sorted(report.entries.items()):
        gid = f" GeoNames {e.geonames_id}" if e.geonames_id else ""
        print(f"{pid:<28} {e.lat:>9.5f} {e.lon:>10.5f}  {e.source}{gid}  {e.address}")
    if not args.dry_run:
        path = geocache.write_cache(c.root, report.entries)
        print(f"wrote {len(report.entries)} of {len(c.places)} places to {path}")
    for p in report.problems:
        print(p)
    return 1 if report.problems else 0


def cmd_export(args: argparse.Namespace) -> int:
    from dashboard import atlas, export, filters  # noqa: PLC0415

    # The store of the data as it is now (built first when the data changed), read by the engine.
    from dashboard.readers import corpus as corpus_mod  # noqa: PLC0415

    c = atlas.open_atlas(corpus_mod.data_dir(args.data), args.engine)
    skipped = c.errors
    if skipped:
        _err(f"{c.skipped_summary()}; run `python -m dashboard validate` for details:")
        _err(*(f"  {p}" for p in skipped))
    params = {
        key: vals
        for key, vals in (
            ("from", args.date_from),
            ("to", args.date_to),
            ("actor", args.actor),
            ("country", args.country),
            ("kind", args.kind),
            ("certainty", args.certainty),
            ("place", args.place),
            ("article", args.article),
            ("dataset", args.dataset),
            ("coding", args.coding),
            ("corroboration", args.corroboration),
        )
        if vals
    }
    if args.stories:
        return _export_stories(c, args, params)
    f, notices = filters.from_query(c, params)
    if notices:
        _err(*notices)
        return 2
    if args.between is not None:  # read here, so a refusal names the option, not a link's parameter
        read = filters.read_between(c, args.between)
        if read.why:
            _err(f"--between {filters.shown(args.between)}: {read.why}")
            return 2
        _err(*read.notes)
        f = dataclasses.replace(f, between=read.sides)
    if args.format == "xlsx" and not args.output and sys.stdout.isatty():
        _err("error: an XLSX file is binary; write it with -o FILE (or -o FOLDER for the page's file name)")
        return 2
    # The same bytes as the Events page's download for the same filters and link base.
    data = export.download(c.engine, f, args.format, args.link_base)
    if args.output:
        out = Path(args.output)
        if out.is_dir():  # a folder: the file gets the name the page's download has
            out = out / export.file_name(f, args.format, dt.datetime.now(dt.UTC).date())
            _err(f"wrote {out}")
        out.write_bytes(data)
    else:
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
    return 0


def _export_stories(c: object, args: argparse.Namespace, params: dict[str, object]) -> int:
    """`export --stories`: every story, one record each, as JSON or CSV."""
    from dashboard import export  # noqa: PLC0415

    if params or args.between is not None:
        _err(
            "error: --stories writes every story; filters (--from, --actor, --between, …) do not apply to it"
        )
        return 2
    if args.format not in export.STORY_FORMATS:
        _err(f"error: --stories writes {' or '.join(export.STORY_FORMATS)}, not {args.format}")
        return 2
    data = export.stories_text(c.engine, args.format).encode("utf-8-sig" if args.format == "csv" else "utf-8")
    if args.output:
        out = Path(args.output)
        if out.is_dir():
            out = out / f"contact-atlas_stories.{args.format}"
            _err(f"wrote {out}")
        out.write_bytes(data)
    else:
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
    return 0


def cmd_build(args: argparse.Namespace) -> int:
    from dashboard import engines, query, store  # noqa: PLC0415

    started = time.perf_counter()
    # On Spark the aggregates' SQL runs on the session too; either way DuckDB can serve them.
    entry, setting = engines.parse(args.engine or engines.default_setting())
    aggregate = None
    if entry.engine == "spark":
        from dashboard.engines import spark  # noqa: PLC0415 - the non-default engine

        aggregate = spark.aggregates_runner(spark.LOCAL if setting.text == "spark" else setting.text)
    out = Path(args.out) if args.out else None
    s = None
    if args.append:
        if out is not None:
            _err("error: --append writes the data folder's own store; give no --out")
            return 2
        from dashboard import sqlbuild  # noqa: PLC0415
        from dashboard.readers import corpus as corpus_mod  # noqa: PLC0415

        s = sqlbuild.append(corpus_mod.data_dir(args.data), args.allow_problems)
        if s is None:
            _err(
                "note: the last store cannot be appended to (it takes whole new bulk runs whose rows pass"
                " every check and change nothing it holds): building it whole"
            )
    if s is None:
        s = _build_bulk(args, out, aggregate)
    if s is None:  # no bulk events, or some the loader must name: every record read by the loader
        c = _load(args)
        skipped = [p for p in c.problems if p.severity is Severity.ERROR]
        if skipped and not args.allow_problems:
            _err(f"{c.skipped_summary()}; no store written. Fix these first:", *(f"  {p}" for p in skipped))
            return 1
        s = store.build(c, out, aggregate)
    eng = engines.open(s, args.engine)
    n = query.count(eng, query.Filters())
    took = time.perf_counter() - started
    print(f"store: {n:,} events in {s.path} ({eng.name} reads it; {took:.1f} s)")
    return 0


def _build_bulk(args: argparse.Namespace, out: Path | None, aggregate: object = None) -> object | None:
    """The store built in SQL from bulk events that pass every check (`dashboard.sqlbuild`), or None."""
    from dashboard import sqlbuild  # noqa: PLC0415
    from dashboard.readers import corpus as corpus_mod  # noqa: PLC0415

    c, files = corpus_mod.load_deferred(corpus_mod.data_dir(args.data))
    if not any(files.values()):
        return None
    if c.errors and not args.allow_problems:
        return None  # the loader lists every problem, the bulk events' too
    return sqlbuild.build(c, files, out, aggregate)


def _date(text: str) -> object:
    import datetime as dt  # noqa: PLC0415

    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from None


def _article_id(text: str) -> str:
    """An id as the loader checks ids: lower-case letters, digits and hyphens, at most 80."""
    import re  # noqa: PLC0415

    if len(text) > 80 or not re.fullmatch(r"[a-z0-9][a-z0-9-]*", text):
        raise argparse.ArgumentTypeError(
            f"{text!r} is not an id: use lower-case letters, digits and hyphens (at most 80), "
            "starting with a letter or digit"
        )
    return text


def _not_an_export(path: Path, source: str) -> str | None:
    """Why `path` cannot be an export file to import (None when it may be one)."""
    if path.is_dir():
        return f"{path}: is a directory, not a {source.upper()} export file (name the files in it)"
    if not path.exists():
        return f"{path}: no such file"
    if not path.is_file():
        return f"{path}: is not a regular file (a device or a pipe): not a {source.upper()} export"
    if path.stat().st_size == 0:
        return f"{path}: is empty: not a {source.upper()} export"
    return None


def cmd_import(args: argparse.Namespace) -> int:
    import functools  # noqa: PLC0415

    from dashboard.readers import acled, gdelt, imports  # noqa: PLC0415 - only the import command needs them

    out = Path(args.out)
    files = [Path(f) for f in args.files]
    unfit = [why for f in files if (why := _not_an_export(f, args.source))]
    if unfit:
        _err(*(f"error: {why}" for why in unfit))
        return 2
    if args.source == "gdelt":
        try:
            roots = frozenset(gdelt.normalise_root(r) for r in args.root or ())
        except ValueError as exc:
            _err(f"error: --root {exc}")
            return 2
        countries = frozenset(c.strip().upper() for c in args.country or ())
        from dashboard.countries import iso3_codes  # noqa: PLC0415

        unknown = sorted(countries - iso3_codes())
        if unknown:
            _err(f"error: --country {', '.join(unknown)}: use ISO 3166-1 alpha-3 codes (BLR, RUS, UKR)")
            return 2
        if args.online:
            from dashboard.readers import fetch  # noqa: PLC0415

            into = Path(args.download) if args.download else out / ".gdelt-downloads"
            try:
                files += fetch.fetch(args.list_url, args.online, into, say=_err)
            except fetch.FetchError as exc:
                _err(f"error: {exc}", "Nothing was imported from the network; files fetched before stay "
                     f"in {into} and a later --online run resumes there.")  # fmt: skip
                return 3
        if not files:
            _err("error: name GDELT export files, or fetch the newest with --online N")
            return 2
        opts = gdelt.Options(countries, roots, args.since, args.until)
        run = functools.partial(gdelt.import_files, files, out, opts)
    else:
        if len(files) != 1:
            _err("error: import acled reads one CSV file")
            return 2
        run = functools.partial(acled.import_file, files[0], out)
    try:
        report, took = run()
    except (imports.WriteError, OSError) as exc:
        _err(f"error: {exc}")
        return 4
    for line in report.lines():
        print(line)
    print(report.summary(args.source, took))
    for path in report.written:
        print(f"wrote {path}")
    for name in report.all_malformed:
        _err(f"error: {name}: every row is malformed (named above): nothing was imported from it")
    # A file not read (or not to its end), or one whose rows are all malformed, is worth a status a
    # script notices; some malformed rows among good ones are not.
    return 1 if report.unread or report.all_malformed else 0


def cmd_draft(args: argparse.Namespace) -> int:
    from dashboard import drafting  # noqa: PLC0415 - only the draft command needs the lexicon

    name = "standard input" if args.text == "-" else args.text
    try:
        raw = sys.stdin.buffer.read() if args.text == "-" else Path(args.text).read_bytes()
    except OSError as exc:
        _err(f"error: {name}: {exc.strerror or exc}")
        return 2
    c = _load(args)
    if c.errors:
        _err(f"note: {c.root} has problems ({c.skipped_summary()}); drafting with the records that load")
    meta = drafting.Meta(
        title=args.title, publisher=args.publisher, published=args.published, url=args.url,
        language=args.language, id=args.id,
    )  # fmt: skip
    try:
        text = drafting.check_text(raw, name)
        d = drafting.draft(
            text, meta, c.actors, c.places, taken_ids=set(c.events["id"]), articles=set(c.articles)
        )
    except drafting.DraftError as exc:
        _err(f"error: {exc}" if str(exc).startswith(name) else f"error: {name}: {exc}")
        return 2
    text_file = f"{d.article_id}.txt"
    if args.out:
        from dashboard.drafting.review import write_new  # noqa: PLC0415

        out = Path(args.out)
        beside = out.parent / text_file
        own_text = args.text != "-" and beside.exists() and beside.resolve() == Path(args.text).resolve()
        for path in (out, *([] if own_text else [beside])):
            if os.path.lexists(path):  # a symlink, dangling or not, is a file draft will not replace
                _err(f"error: {path} exists; draft never writes over a file: give another --out or --id")
                return 2
        try:
            out.parent.mkdir(parents=True, exist_ok=True)
            if not own_text:  # else the text already sits beside the YAML under that name
                write_new(beside, text.encode("utf-8"))
            try:
                write_new(out, d.to_yaml(text_file).encode("utf-8"))
            except BaseException:
                if not own_text:
                    beside.unlink(missing_ok=True)
                raise
        except FileExistsError as exc:
            _err(f"error: {exc.filename or out} exists; draft never writes over a file")
            return 2
        except OSError as exc:
            _err(f"error: {exc.filename or out}: {exc.strerror or exc}; nothing written")
            return 2
        where = f"{out} (text: {beside})"
    else:
        sys.stdout.write(d.to_yaml(text_file))
        where = f"standard output; save the text as {text_file} beside it"
    kinds = ", ".join(f"{k} {n}" for k, n in Counter(e.kind for e in d.events).most_common())
    _err(
        f"drafted {len(d.events)} event(s) ({kinds}); {len(d.actors)} new actor(s), {len(d.places)} new "
        f"place(s) → {where}",
        *(f"  {line}" for line in d.skipped),
        "Review each event against its quote, correct it, then delete its `status: draft` line.",
    )
    if args.score:
        return _score_draft(Path(args.score), text, d, drafting)
    return 0


def _score_draft(gold_path: Path, text: str, d: Any, drafting: Any) -> int:
    """`draft … --score GOLD.yaml`: the draft against the hand-coded events of the same text."""
    from dashboard.drafting import score  # noqa: PLC0415

    try:
        arts = score.load_gold(gold_path)
    except score.GoldError as exc:
        _err(f"error: {exc}")
        return 2
    same = [a for a in arts if a.text == text]
    if not same:
        ids = ", ".join(a.id for a in arts) or "none"
        _err(f"error: {gold_path}: no article there has this text (articles: {ids}); give the text its gold "
             "file codes")  # fmt: skip
        return 2
    gold = same[0]
    got = score.score(gold.events, score.draft_of(d.events, text), drafting.sentences(text, d.meta.language))
    spurious = [f"  spurious: {', '.join(got.spurious)}"] if got.spurious else []
    _err(f"scored against {gold_path} (article {gold.id}):", *score.table([(gold.id, got)]),
         *(f"  {m}" for m in got.misses), *spurious)  # fmt: skip
    return 0


def cmd_synth(args: argparse.Namespace) -> int:
    from dashboard import synth  # noqa: PLC0415

    if args.events < 1:
        _err("error: --events must be at least 1")
        return 2
    started = time.perf_counter()
    paths = synth.write(args.events, Path(args.out), seed=args.seed)
    size = sum(p.stat().st_size for p in paths)
    took = time.perf_counter() - started
    print(f"wrote {args.events:,} events to {args.out} ({size / 1e6:.1f} MB, {took:.1f} s)")
    return 0


def parser() -> argparse.ArgumentParser:
    from dashboard.readers import fetch  # noqa: PLC0415 - standard library only; its URL is the default

    top = argparse.ArgumentParser(prog="python -m dashboard", description=__doc__)
    sub = top.add_subparsers(dest="command", required=True)
    data_help = "data folder (default: $DASHBOARD_DATA, else data/)"

    v = sub.add_parser("validate", help="check the data; exit 1 listing every problem")
    v.add_argument("--data", help=data_help)
    v.set_defaults(run=cmd_validate)

    g = sub.add_parser("geocode", help="place every place and write the geocode cache")
    g.add_argument("--data", help=data_help)
    g.add_argument(
        "--online",
        action="store_true",
        help="also ask Nominatim (1 request/s) for names the offline gazetteer lacks",
    )
    g.add_argument("--user-agent", help="user agent for Nominatim (default: $CONTACT_ATLAS_USER_AGENT)")
    g.add_argument("--nominatim-domain", help="a self-hosted Nominatim, e.g. nominatim.example.org")
    g.add_argument("--nominatim-scheme", choices=("https", "http"), help="scheme for --nominatim-domain")
    g.add_argument("--dry-run", action="store_true", help="print results without writing the cache")
    g.set_defaults(run=cmd_geocode)

    e = sub.add_parser("export", help="write events as json, csv, xlsx or geojson")
    e.add_argument("--data", help=data_help)
    e.add_argument(
        "--format", choices=("json", "csv", "xlsx", "geojson"), default="json",
        help="csv and xlsx: the newsroom's table (docs/DATA.md, \"Export\"); json, geojson: the full records",
    )  # fmt: skip
    e.add_argument(
        "--from", dest="date_from", metavar="YYYY-MM-DD", help="events overlapping this day or later"
    )
    e.add_argument(
        "--to", dest="date_to", metavar="YYYY-MM-DD", help="events overlapping this day or earlier"
    )
    for name, what in (
        ("actor", "actor id"), ("country", "ISO 3166-1 alpha-3 code"), ("kind", "event kind"),
        ("certainty", "confirmed, reported or claimed"), ("place", "place id (includes sites within it)"),
        ("article", "article id"), ("dataset", "curated, gdelt or acled"),
        ("coding", "human, machine or draft"),
    ):  # fmt: skip
        e.add_argument(f"--{name}", action="append", metavar=name.upper(), help=f"{what}; repeat for several")
    e.add_argument(
        "--corroboration", metavar="SIDE",
        help="corroborated (curated events a machine story corroborates, and those stories' records), "
        "curated (curated events none corroborates) or machine (records of stories that corroborate nothing)",
    )  # fmt: skip
    e.add_argument(
        "--stories", action="store_true",
        help="write one record per story instead of the events (json or csv; docs/DATA.md, \"Stories\")",
    )  # fmt: skip
    e.add_argument(
        "--between", metavar="A,B",
        help="contacts between two sides: events with a participant of each (two distinct participants); "
        "a side is an ISO 3166-1 alpha-3 code (USA), a group of a country's actors of one kind "
        "(USA:person, BLR:state, RUS:organization, GBR:media) or an actor id",
    )  # fmt: skip
    e.add_argument(
        "-o", "--output",
        help="write to this file instead of standard output; a folder: a file in it named by the filters",
    )  # fmt: skip
    e.add_argument(
        "--link-base",
        metavar="URL",
        help="the app's address for the share link in CSV and XLSX, e.g. https://atlas.example.org/events "
        "(default: the link is the query alone, ?actor=…)",
    )
    e.add_argument("--engine", action=EngineSetting)
    e.set_defaults(run=cmd_export)

    b = sub.add_parser("build", help="validate the data and write its store (the tables every view queries)")
    b.add_argument("--data", help=data_help)
    b.add_argument("--out", metavar="STORE", help="store folder (default: in the data folder's cache)")
    b.add_argument("--engine", action=EngineSetting)
    b.add_argument(
        "--allow-problems", action="store_true",
        help="build from the valid records even when some are skipped (what the dashboard does; "
        "the problems are kept in the store and shown at the top of every page)",
    )  # fmt: skip
    b.add_argument(
        "--append", action="store_true",
        help="add the bulk runs imported since the last store to it, without rebuilding it (builds it "
        "whole when anything else changed)",
    )  # fmt: skip
    b.set_defaults(run=cmd_build)
    i = sub.add_parser(
        "import", help="import GDELT 2.0 Events files or an ACLED CSV export as bulk tables (docs/DATA.md)"
    )
    i.add_argument("source", choices=("gdelt", "acled"))
    i.add_argument(
        "files", nargs="*", metavar="FILE", help="GDELT .export.CSV or .CSV.zip files; one ACLED .csv"
    )
    i.add_argument("--out", required=True, metavar="DIR", help="folder to write (inside the data folder)")
    i.add_argument(
        "--country",
        action="append",
        metavar="ISO3",
        help="GDELT: keep events with an actor or the action in this country; repeat for several",
    )
    i.add_argument(
        "--root",
        action="append",
        metavar="CODE",
        help="GDELT: keep events under this CAMEO root code (01 to 20); repeat for several",
    )
    i.add_argument(
        "--since", type=_date, metavar="YYYY-MM-DD", help="GDELT: keep events on or after this day"
    )
    i.add_argument(
        "--until", type=_date, metavar="YYYY-MM-DD", help="GDELT: keep events on or before this day"
    )
    i.add_argument(
        "--online",
        type=int,
        metavar="N",
        default=0,
        help="GDELT, network: also fetch the newest N 15-minute files (resumable)",
    )
    i.add_argument(
        "--list-url",
        default=fetch.LIST_URL,
        help="GDELT's file list (default: GDELT's own)",
    )
    i.add_argument(
        "--download", metavar="DIR", help="where --online keeps fetched files (default: DIR/.gdelt-downloads)"
    )
    i.set_defaults(run=cmd_import)

    d = sub.add_parser(
        "draft",
        help="propose events for a new article's text: YAML, every event `status: draft`, for an editor",
        description="Reads an article's text and proposes one event per statement it recognises, each with "
        "its exact quote and a note saying what proposed it. The YAML is valid as written; put it and the "
        "text in the data folder (or review it first in the dashboard's Add article page).",
    )
    d.add_argument(
        "text", metavar="TEXT", help="the article's text file (UTF-8), or - to read standard input"
    )
    d.add_argument("--title", required=True, help="the article's headline")
    d.add_argument("--publisher", required=True, help="who published it")
    d.add_argument("--published", required=True, type=_date, metavar="YYYY-MM-DD",
                   help="publication date: every relative date is read from it")  # fmt: skip
    d.add_argument("--url", help="the article's address")
    d.add_argument("--id", type=_article_id, help="the article's id (default: from the title)")
    d.add_argument("--language", default="en", help="the text's language (default en)")
    d.add_argument("--data", help=data_help + ": its actors and places are matched in the text")
    d.add_argument("--out", metavar="FILE.yaml",
                   help="write here, with the text beside it as ID.txt (default: standard output)",
                   )  # fmt: skip
    d.add_argument("--score", metavar="GOLD.yaml",
                   help="then score the draft against the hand-coded events of the same text in this article "
                        "YAML (the corpus format) and print the table to standard error")  # fmt: skip
    d.set_defaults(run=cmd_draft)

    s = sub.add_parser("synth", help="write a deterministic synthetic corpus (bulk Parquet) for scale tests")
    s.add_argument("--events", type=int, required=True, metavar="N", help="how many events")
    s.add_argument("--out", required=True, metavar="DIR", help="folder to write (created if missing)")
    s.add_argument(
        "--seed", type=int, default=0, help="random seed (default 0): the same seed gives the same bytes"
    )
    s.set_defaults(run=cmd_synth)
    return top


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return int(args.run(args))
    except DataError as exc:
        _err(f"error: {exc}")
        return 2
    except ValueError as exc:  # a bad engine setting, say
        _err(f"error: {exc}")
        return 2
    except OSError as exc:
        _err(f"error: {exc.filename or ''}: {exc.strerror or exc}")
        return 2


if __name__ == "__main__":
    sys.exit(main())
