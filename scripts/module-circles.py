#!/usr/bin/env python3
"""Lists the circles of imports between the modules of each crate (`crate::a` used in module b and
`crate::b` in module a, or longer loops), for docs/architecture.md. For mobilize-core the modules
are counted two levels deep for model/, scenario/, network/ and population/.

    python3 scripts/module-circles.py
"""
import os,re,sys,itertools
# module graph at depth: top-level module of each crate (and second level for core)
def mods(crate):
    root=f'crates/{crate}/src'
    out={}
    for dp,dn,fn in os.walk(root):
        for f in fn:
            if not f.endswith('.rs'): continue
            p=os.path.join(dp,f)
            rel=os.path.relpath(p,root)[:-3].split('/')
            if rel[-1]=='mod': rel=rel[:-1]
            if rel in (['lib'],['main']): rel=[]
            out[p]=rel
    return out
def top(rel,depth): return '/'.join(rel[:depth]) or '<root>'
for crate in ['core','output','report','experiment','serve','cli']:
    m=mods(crate)
    depth=2 if crate=='core' else 1
    edges=set()
    for p,rel in m.items():
        if 'tests' in rel: continue
        src=open(p).read()
        a=top(rel,depth)
        refs=re.findall(r'\bcrate::([a-z_]+)(?:::([a-z_]+))?',src)
        for grp in re.findall(r'use crate::\{([^}]*)\}',src):
            for item in grp.split(','):
                item=item.strip()
                if item and item[0].islower():
                    parts=item.split('::')
                    refs.append((parts[0], parts[1] if len(parts)>1 and parts[1][:1].islower() else ''))
        for u in refs:
            tgt=[x for x in u if x]
            b=top(tgt,depth) if depth==2 and tgt[0] in ('model','scenario','network','population') else tgt[0]
            if depth==1: b=tgt[0]
            if b!=a and not a.startswith(b+'/') and not b.startswith(a+'/'): edges.add((a,b))
        # super:: from a file inside dir
        for u in re.findall(r'\bsuper::([a-z_]+)',src):
            parent=rel[:-1]
            tgt=parent+[u]
            b=top(tgt,depth)
            if b!=a and not a.startswith(b+'/') and not b.startswith(a+'/'): edges.add((a,b))
    nodes=set(x for e in edges for x in e)
    # find 2-cycles and longer via DFS
    g={n:set() for n in nodes}
    for a,b in edges: g[a].add(b)
    # strongly connected components (Tarjan)
    index={}; low={}; st=[]; on=set(); out=[]; c=[0]
    def sc(v):
        index[v]=low[v]=c[0]; c[0]+=1; st.append(v); on.add(v)
        for w in g[v]:
            if w not in index: sc(w); low[v]=min(low[v],low[w])
            elif w in on: low[v]=min(low[v],index[w])
        if low[v]==index[v]:
            comp=[]
            while True:
                w=st.pop(); on.discard(w); comp.append(w)
                if w==v: break
            if len(comp)>1: out.append(sorted(comp))
    for v in sorted(g):
        if v not in index: sc(v)
    print(crate, 'circles:', out)
