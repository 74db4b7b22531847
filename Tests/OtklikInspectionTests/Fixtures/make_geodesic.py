#!/usr/bin/env python3
"""Reference WGS84 geodesic distances and azimuths for GeodesicTests.

Run: python3 make_geodesic.py > geodesic_wgs84.csv   (pyproj 3.7.2, PROJ's geod_inverse, Karney's algorithm)
"""
import pyproj

geod = pyproj.Geod(ellps="WGS84")
pairs = [
    # Smolensk and 0.1 degree east: the value PROJ gives is 6434.379 m
    ("smolensk_0.1_east", 32.04, 54.78, 32.14, 54.78),
    ("smolensk_to_rudnya", 32.04, 54.78, 31.09, 54.95),
    ("smolensk_to_vyazma", 32.04, 54.78, 34.30, 55.21),
    ("smolensk_to_roslavl", 32.04, 54.78, 32.86, 53.95),
    ("sosnovka_short_1km", 31.50, 54.90, 31.51, 54.905),
    ("meridian_north_1deg", 32.0, 54.0, 32.0, 55.0),
    ("smolensk_to_moscow", 32.04, 54.78, 37.62, 55.75),
    ("across_antimeridian", 179.5, 10.0, -179.5, 11.0),
    ("equator_90deg", 0.0, 0.0, 90.0, 0.0),
    ("southern_long", -70.0, -33.0, 151.2, -33.9),
    ("pole_to_equator", 0.0, 90.0, 45.0, 0.0),
    ("near_antipodal_a", 0.0, 30.0, 179.5, -29.8),
    ("near_antipodal_b", 10.0, 0.5, -170.2, -0.4),
    ("near_antipodal_equator", 0.0, 0.0, 179.7, 0.0),
]
print("name,lon1,lat1,lon2,lat2,distance_m,azimuth1_deg,azimuth2_deg")
for name, lon1, lat1, lon2, lat2 in pairs:
    az1, az2, dist = geod.inv(lon1, lat1, lon2, lat2)
    # pyproj's az2 is the back azimuth (pointing from point 2 to point 1); the forward azimuth at point 2 is az2+180
    fwd2 = (az2 + 180.0 + 180.0) % 360.0 - 180.0
    print(f"{name},{lon1},{lat1},{lon2},{lat2},{dist:.4f},{az1:.9f},{fwd2:.9f}")
