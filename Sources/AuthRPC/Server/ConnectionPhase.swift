/// Where one connection is in its life (SPEC §3): serving, draining, closing, lingering.
///
/// `ConnectionHandler` keeps one of these instead of a handful of flags, so every state
/// it can be in has a name and every change of state is one of the methods below, each
/// telling the handler what to do next. Pure value, no NIO: the rules are tested on
/// their own and the handler only carries out the answers.
enum ConnectionPhase: Equatable, Sendable {
    /// Serving: frames are decoded, admitted and dispatched.
    case open
    /// Answering what was already asked; frames read now are answered `ShuttingDown`.
    /// `peerDone`: the client has sent its EOF. `untilQuiet`: the connection reached its
    /// maximum age, so once nothing is left it waits for its client to go quiet before
    /// closing (a request sent just before our FIN would otherwise meet EOF).
    case draining(peerDone: Bool, untilQuiet: Bool)
    /// The last answers are being flushed; frames read now are dropped.
    case closing(peerDone: Bool)
    /// Our side is shut down (FIN sent): reading only to discard, until the peer's EOF or
    /// the linger ends, so the close is not a reset.
    case lingering

    /// Why a connection stops taking new work.
    enum DrainCause: Sendable {
        /// The server is shutting down.
        case server
        /// The connection reached `AUTHRPC_MAX_CONNECTION_AGE_S`.
        case aged
        /// The client half-closed: it has sent all it will.
        case peerClosed
    }

    /// What the handler does after a change of phase.
    enum Next: Equatable, Sendable {
        /// Nothing more.
        case nothing
        /// Go on with the frames read so far (answering, or refusing while draining).
        case handleFrames
        /// Close the channel now.
        case close
        /// Shut down our side and keep reading to discard until EOF or the linger ends.
        case shutOutputAndLinger
    }

    /// New frames are refused `ShuttingDown` instead of being dispatched.
    var isDraining: Bool {
        if case .draining = self { return true }
        return false
    }

    /// The connection is on its way out: input is dropped, nothing more is answered.
    var isClosing: Bool {
        switch self {
        case .closing, .lingering: return true
        case .open, .draining: return false
        }
    }

    /// The connection stops taking new work. A later cause can change how it ends: the
    /// server's drain stops an aged connection from waiting for quiet, and a peer's EOF
    /// ends the waiting for it too.
    mutating func drain(_ cause: DrainCause) -> Next {
        switch (self, cause) {
        case (.open, .server):
            self = .draining(peerDone: false, untilQuiet: false)
        case (.open, .aged):
            self = .draining(peerDone: false, untilQuiet: true)
        case (.open, .peerClosed):
            self = .draining(peerDone: true, untilQuiet: false)
        case (.draining(let peerDone, _), .server):
            self = .draining(peerDone: peerDone, untilQuiet: false)
        case (.draining, .aged):
            return .nothing
        case (.draining, .peerClosed):
            self = .draining(peerDone: true, untilQuiet: false)
        case (.closing, .peerClosed):
            self = .closing(peerDone: true)
            return .nothing
        case (.closing, _):
            return .nothing
        case (.lingering, .peerClosed):
            return .close
        case (.lingering, _):
            return .nothing
        }
        return .handleFrames
    }

    /// Everything owed is answered (or the connection must end now): flush and close.
    /// False when it was already closing.
    mutating func beginClosing() -> Bool {
        switch self {
        case .open:
            self = .closing(peerDone: false)
        case .draining(let peerDone, _):
            self = .closing(peerDone: peerDone)
        case .closing, .lingering:
            return false
        }
        return true
    }

    /// The last answers reached the socket: close at once if the peer is done, else
    /// linger so that its unread bytes do not turn our close into a reset.
    mutating func lastAnswersWritten() -> Next {
        guard case .closing(let peerDone) = self else { return .nothing }
        if peerDone { return .close }
        self = .lingering
        return .shutOutputAndLinger
    }
}
