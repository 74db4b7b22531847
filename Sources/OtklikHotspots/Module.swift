// Module OtklikHotspots
