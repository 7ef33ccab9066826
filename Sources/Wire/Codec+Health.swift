import CAuthRPCProto

// Health messages (SPEC §4 HealthRequest, HealthResponse, PoolStatus).

extension HealthRequest {
    init(c _: Authrpc__V1__HealthRequest) { self.init() }

    func cMessage(in arena: CArena) -> UnsafeMutablePointer<Authrpc__V1__HealthRequest> {
        arena.message(authrpc__v1__health_request__init) { _ in }
    }
}

extension PoolStatus {
    init(c: Authrpc__V1__PoolStatus) {
        self.init(issuer: swiftString(c.issuer), keys: c.keys, lastRefreshUnix: c.last_refresh_unix,
                  lastError: swiftString(c.last_error))
    }

    func cMessage(in arena: CArena) -> UnsafeMutablePointer<Authrpc__V1__PoolStatus> {
        arena.message(authrpc__v1__pool_status__init) { c in
            c.issuer = arena.string(issuer)
            c.keys = keys
            c.last_refresh_unix = lastRefreshUnix
            c.last_error = arena.string(lastError)
        }
    }
}

extension HealthResponse {
    init(c: Authrpc__V1__HealthResponse) {
        self.init(version: swiftString(c.version), uptimeSeconds: c.uptime_seconds,
                  pools: swiftMessages(c.n_pools, c.pools) { PoolStatus(c: $0.pointee) })
    }

    func cMessage(in arena: CArena) -> UnsafeMutablePointer<Authrpc__V1__HealthResponse> {
        arena.message(authrpc__v1__health_response__init) { c in
            c.version = arena.string(version)
            c.uptime_seconds = uptimeSeconds
            (c.n_pools, c.pools) = arena.pointers(pools) { $0.cMessage(in: arena) }
        }
    }
}
