// Module OtklikInspection
