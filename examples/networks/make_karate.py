"""Writes Zachary's karate club (1977) as an edge list and a people table for mobilize.

The network is the one NetworkX ships (`networkx.karate_club_graph()`, NetworkX is
BSD-3-Clause licensed): 34 members of a university karate club, 78 ties between members who
met outside the club, each weighted by the number of contexts in which the two interacted
(Zachary's weighted matrix), and the faction each member joined when the club split
("Mr. Hi" or "Officer").

Source: W. W. Zachary, "An information flow model for conflict and fission in small groups",
Journal of Anthropological Research 33(4): 452-473 (1977).

Run: python3 make_karate.py   (writes karate-edges.csv and karate-people.csv here)
"""

import csv
import pathlib

import networkx as nx

here = pathlib.Path(__file__).parent
g = nx.karate_club_graph()

with open(here / "karate-edges.csv", "w", newline="") as f:
    w = csv.writer(f, lineterminator="\n")
    w.writerow(["source", "target", "weight"])
    for a, b, data in sorted(g.edges(data=True)):
        w.writerow([a, b, data.get("weight", 1)])

with open(here / "karate-people.csv", "w", newline="") as f:
    w = csv.writer(f, lineterminator="\n")
    w.writerow(["id", "region"])
    for node in sorted(g.nodes):
        faction = g.nodes[node]["club"]
        w.writerow([node, "mr_hi" if faction == "Mr. Hi" else "officer"])
