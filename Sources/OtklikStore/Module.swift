// Module OtklikStore
