// Module OtklikHTTP
