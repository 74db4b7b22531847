// Module OtklikGeo
