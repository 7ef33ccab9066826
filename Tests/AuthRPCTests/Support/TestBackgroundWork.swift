import AuthRPC

/// The tests' `BackgroundWork`, running for the whole test process as the application's
/// runs under its `ServiceGroup`.
let testBackground: BackgroundWork = {
    let work = BackgroundWork()
    Task { await work.run() }
    return work
}()
