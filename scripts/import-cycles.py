#!/usr/bin/env python3
"""Prints the import cycles between the modules of a Rust source tree (crate::, super::, self:: paths; tests and comments left out): scripts/import-cycles.py src"""
import os, re, sys
root = sys.argv[1]
mods = {}
for dp, _, fs in os.walk(root):
    for f in fs:
        if f.endswith('.rs'):
            p = os.path.join(dp, f)
            rel = os.path.relpath(p, root)[:-3].split(os.sep)
            if rel[-1] in ('mod', 'lib', 'main'): rel = rel[:-1]
            mods['::'.join(rel)] = open(p).read()
names = set(mods)
def resolve(me, path):
    parts = path.split('::')
    if parts[0] == 'crate': base = []; parts = parts[1:]
    elif parts[0] == 'super':
        base = me.split('::')[:-1] if me else []
        parts = parts[1:]
        while parts and parts[0] == 'super': base = base[:-1]; parts = parts[1:]
    elif parts[0] == 'self': base = me.split('::') if me else []; parts = parts[1:]
    else: return None
    best = None
    for k in range(len(parts), 0, -1):
        cand = '::'.join(base + parts[:k])
        if cand in names: best = cand; break
    return best
edges = {m: set() for m in mods}
for m, src in mods.items():
    src = re.sub(r'(?s)#\[cfg\(test\)\]\s*mod tests \{.*', '', src)
    src = re.sub(r'(?m)^\s*//.*$', '', src)
    for mt in re.finditer(r'\b((?:crate|super|self)(?:::\w+)+)', src):
        t = resolve(m, mt.group(1))
        if t and t != m and not t.startswith(m + '::') and not m.startswith(t + '::') if t else False:
            edges[m].add(t)
# cycles via Tarjan
idx = {}; low = {}; st = []; on = set(); sccs = []; c = [0]
def sc(v):
    idx[v] = low[v] = c[0]; c[0] += 1; st.append(v); on.add(v)
    for w in edges[v]:
        if w not in idx: sc(w); low[v] = min(low[v], low[w])
        elif w in on: low[v] = min(low[v], idx[w])
    if low[v] == idx[v]:
        comp = []
        while True:
            w = st.pop(); on.discard(w); comp.append(w)
            if w == v: break
        if len(comp) > 1: sccs.append(comp)
sys.setrecursionlimit(10000)
for v in edges:
    if v not in idx: sc(v)
print("cycles:", sccs if sccs else "none")
