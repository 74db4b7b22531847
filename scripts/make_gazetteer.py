#!/usr/bin/env python3
"""Builds the demo gazetteer in data/ for Smolensk Oblast.

Run from the project root with ../shared beside it (Python 3.11, shapely 2.x, numpy):
    python3 scripts/make_gazetteer.py

What it writes, and what is fact and what is approximation:
- data/settlements.geojson: the oblast's settlements with a 2010 census population of at least 300, every
  "Сосновка", and the town Рудня. Names, types, districts, coordinates and populations are facts, looked up
  in the settlement registry described in ../shared/data/boundaries/SOURCES.md (section 2).
- data/oblast_outline.geojson: an APPROXIMATE outline: the concave hull of all 5,167 settlement points,
  buffered by 4 km and simplified. Not the legal border.
- data/districts.geojson: 25 municipal districts and 2 city okrugs with APPROXIMATE polygons: Voronoi cells
  of each district's population-weighted settlement centroid, clipped to the outline; the two city okrugs
  are circles of their official area (Смоленск 166 km², Десногорск 42 km²) around the city point, cut out
  of the surrounding cells. Administrative centres, their coordinates and populations are facts.
"""
import json, math, collections
import numpy as np
from shapely.geometry import Point, MultiPoint, mapping, shape, Polygon, MultiPolygon
from shapely.ops import voronoi_diagram, unary_union
from shapely import affinity, concave_hull

SRC = '../shared/data/boundaries/smolensk_settlements.geojson'
K = math.cos(math.radians(54.8))  # local x scale so that distances are ~isotropic

feats = json.load(open(SRC, encoding='utf-8'))['features']
by_district = collections.defaultdict(list)
for f in feats:
    by_district[f['properties']['district']].append(f)

CENTRES = {
    'Велижский район': 'Велиж', 'Вяземский район': 'Вязьма', 'Гагаринский район': 'Гагарин',
    'Глинковский район': 'Глинка', 'Демидовский район': 'Демидов', 'Дорогобужский район': 'Дорогобуж',
    'Духовщинский район': 'Духовщина', 'Ельнинский район': 'Ельня', 'Ершичский район': 'Ершичи',
    'Кардымовский район': 'Кардымово', 'Краснинский район': 'Красный', 'Монастырщинский район': 'Монастырщина',
    'Новодугинский район': 'Новодугино', 'Починковский район': 'Починок', 'Рославльский район': 'Рославль',
    'Руднянский район': 'Рудня', 'Сафоновский район': 'Сафоново', 'Смоленский район': 'Смоленск',
    'Сычёвский район': 'Сычёвка', 'Тёмкинский район': 'Тёмкино', 'Угранский район': 'Угра',
    'Хиславичский район': 'Хиславичи', 'Холм-Жирковский район': 'Холм-Жирковский', 'Шумячский район': 'Шумячи',
    'Ярцевский район': 'Ярцево', 'Город Смоленск': 'Смоленск', 'Город Десногорск': 'Десногорск',
}
CITY_AREA_KM2 = {'Город Смоленск': 166.0, 'Город Десногорск': 42.0}

def same(a, b):
    # The registry writes some names with е where the official spelling has ё (Сычевка, Темкино).
    return a.replace('ё', 'е') == b.replace('ё', 'е')

def centre_point(district, name):
    pool = by_district.get(district) or feats
    cands = [f for f in pool if same(f['properties']['name'], name)]
    if not cands:
        cands = [f for f in feats if same(f['properties']['name'], name)]
    best = max(cands, key=lambda f: f['properties']['population_2010'])
    return best['geometry']['coordinates']

fwd = lambda g: affinity.scale(g, xfact=K, yfact=1, origin=(0, 0))
inv = lambda g: affinity.scale(g, xfact=1 / K, yfact=1, origin=(0, 0))

# Outline: concave hull of every settlement, 4 km buffer, simplified (~1 km).
pts_m = MultiPoint([fwd(Point(f['geometry']['coordinates'])) for f in feats])
outline_m = concave_hull(pts_m, ratio=0.08).buffer(4 / 111.0).simplify(1 / 111.0)
outline = inv(outline_m)

# Generators: population-weighted centroid of each municipal district's settlements.
gens = {}
for d, fs in by_district.items():
    if d.startswith('Город'):
        continue
    w = np.array([max(1, f['properties']['population_2010']) for f in fs], dtype=float)
    xy = np.array([f['geometry']['coordinates'] for f in fs])
    # Weighted by log population so one town does not pull the cell onto itself.
    lw = np.log1p(w)
    gens[d] = (float((xy[:, 0] * lw).sum() / lw.sum()), float((xy[:, 1] * lw).sum() / lw.sum()))
names = sorted(gens)
vor = voronoi_diagram(MultiPoint([fwd(Point(gens[n])) for n in names]), envelope=outline_m.buffer(1))
cells = {}
for n in names:
    p = fwd(Point(gens[n]))
    cell = next(c for c in vor.geoms if c.contains(p))
    cells[n] = cell.intersection(outline_m)

cities = {}
for city, km2 in CITY_AREA_KM2.items():
    lon, lat = centre_point(None, CENTRES[city])
    r_deg = math.sqrt(km2 / math.pi) / 111.0
    cities[city] = fwd(Point(lon, lat)).buffer(r_deg, 64)
for n in names:
    for c in cities.values():
        cells[n] = cells[n].difference(c)
cells.update(cities)

def pop(d):
    if d in CITY_AREA_KM2:
        name = CENTRES[d]
        return max(f['properties']['population_2010'] for f in feats if f['properties']['name'] == name)
    return sum(f['properties']['population_2010'] for f in by_district[d]
               if not (f['properties']['name'] in ('Смоленск',) and f['properties']['type'] == 'г'))

def rounded(geom):
    g = mapping(inv(geom))
    def r(c):
        return [round(c[0], 5), round(c[1], 5)] if isinstance(c[0], float) else [r(x) for x in c]
    g = dict(g)
    g['coordinates'] = r(g['coordinates'])
    return g

out = []
for d in sorted(cells):
    lon, lat = centre_point(None if d.startswith('Город') else d, CENTRES[d])
    geom = cells[d]
    if geom.geom_type == 'Polygon':
        geom = MultiPolygon([geom])
    out.append({'type': 'Feature', 'geometry': rounded(geom), 'properties': {
        'name': d, 'kind': 'city_okrug' if d.startswith('Город') else 'municipal_district',
        'admin_center': CENTRES[d], 'center': [lon, lat], 'population': pop(d), 'approximate': True}})
json.dump({'type': 'FeatureCollection', 'name': 'districts',
           'note': 'APPROXIMATE polygons (Voronoi cells of settlement centroids clipped to an approximate outline); not legal borders',
           'features': out}, open('data/districts.geojson', 'w', encoding='utf-8'), ensure_ascii=False, indent=0)

sel = [f for f in feats if f['properties']['population_2010'] >= 300
       or f['properties']['name'] == 'Сосновка'
       or (f['properties']['name'] == 'Рудня' and f['properties']['district'] == 'Руднянский район')]
sel.sort(key=lambda f: (f['properties']['district'], -f['properties']['population_2010'], f['properties']['name']))
sout = [{'type': 'Feature', 'geometry': {'type': 'Point', 'coordinates': f['geometry']['coordinates']},
         'properties': {'name': f['properties']['name'], 'type': f['properties']['type'],
                        'district': f['properties']['district'], 'population': f['properties']['population_2010'],
                        'oktmo': f['properties']['oktmo']}} for f in sel]
json.dump({'type': 'FeatureCollection', 'name': 'settlements', 'features': sout},
          open('data/settlements.geojson', 'w', encoding='utf-8'), ensure_ascii=False, indent=0)
json.dump({'type': 'FeatureCollection', 'name': 'oblast_outline', 'features': [{'type': 'Feature',
           'geometry': rounded(outline_m), 'properties': {'name': 'Смоленская область', 'approximate': True}}]},
          open('data/oblast_outline.geojson', 'w', encoding='utf-8'), ensure_ascii=False, indent=0)
print('districts', len(out), 'settlements', len(sout))
