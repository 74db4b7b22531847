// Module OtklikTiles
