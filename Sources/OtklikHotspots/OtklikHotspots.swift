// OtklikHotspots: pure hotspot analysis. Values in, values out: no database, clock, logger, file or PROJ.
//
// The caller (CLI, HTTP) does the I/O and the projection:
//   1. read incidents, project each location to metres in the region's CRS (OtklikGeo), and build
//      `HotspotPoint(incident:x:y:)`; apply filters (district, settlement, dates) before the call, and a category
//      filter to the report rather than the points, since every category is the others' background;
//   2. `HotspotAnalysis.run(points:taxonomy:config:now:)` -> `HotspotReport` (hotspots with observed/expected,
//      LLR, Monte Carlo p, FDR q and a `significant` flag; significant ones first, then by score; failed fixes
//      per agency; per-category DBSCAN summary);
//   3. `AreaRollup.compute(points:hotspots:areas:taxonomy:now:)` -> rows per district and settlement;
//   4. `GridAnalysis.run(points:config:)` -> Gi* hexagon bins, with emerging patterns when `config.slice` is set;
//   5. publish hotspots and Gi* bins through OtklikServices' `HotspotFeature` and `GridCell` (one vocabulary for
//      every format; hexagons need the inverse projection `(x, y) -> GeoPoint`); `HotspotWriters` keeps the
//      terminal table and the agency and roll-up CSVs.
// Lower-level pieces are public too: `DBSCAN`, `GetisOrd`, `HexGrid`, `MannKendall`, `EmergingHotspots`,
// `EmpiricalBayes`, `Recurrence`, `ScanStatistic`, `Significance`, `FalseDiscoveryRate`, `Normal`.
