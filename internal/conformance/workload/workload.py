"""A workload over real Debian-packaged libraries, for the version tests:
every test bed runs it under plain `coverage run` and covkit must report
exactly what coverage.py reports, file for file."""

import asyncio
import io
import json
import sys

import attr
import bs4
import click
import dateutil.parser
import docutils.core
import jinja2
import markdown
import pygments
import pygments.formatters
import pygments.lexers
import requests
import sqlparse
import tabulate
import yaml


@attr.s
class Point:
    x = attr.ib()
    y = attr.ib(default=0)


@click.command()
@click.option("--count", default=2)
@click.argument("name")
def hello(count, name):
    for _ in range(count):
        click.echo("hello %s" % name)


def main():
    out = []
    out.append(repr(Point(1, 2)))
    try:
        hello.main(["--count", "3", "world"], standalone_mode=False)
    except SystemExit:
        pass
    out.append(jinja2.Template("{% for i in xs %}{{ i * 2 }},{% endfor %}").render(xs=range(4)))
    out.append(yaml.safe_dump(yaml.safe_load("a: [1, 2, {b: c}]\nd: 2021-01-01\n")))
    out.append(docutils.core.publish_string("Title\n=====\n\n*emph* and ``code``\n\n- a\n- b\n", writer_name="html")[:20].decode())
    out.append(pygments.highlight("def f(x):\n    return x + 1\n", pygments.lexers.PythonLexer(), pygments.formatters.HtmlFormatter())[:20])
    out.append(markdown.markdown("# T\n\n* a\n* b\n\n`code`"))
    out.append(bs4.BeautifulSoup("<p class='x'>hi <b>there</b></p>", "html.parser").find("b").text)
    out.append(sqlparse.format("select a,b from t where x=1", reindent=True, keyword_case="upper"))
    out.append(tabulate.tabulate([[1, "a"], [2, "b"]], headers=["n", "s"]))
    out.append(str(dateutil.parser.parse("2021-03-04T05:06:07+01:00")))
    req = requests.Request("GET", "http://example.invalid/x", params={"q": "1"}).prepare()
    out.append(req.url)
    out.append(json.dumps(requests.structures.CaseInsensitiveDict({"A": 1})["a"]))

    async def tick(n):
        await asyncio.sleep(0)
        return n * 2

    async def gather():
        return await asyncio.gather(*(tick(i) for i in range(3)))

    out.append(str(asyncio.run(gather())))
    sys.stdout.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
