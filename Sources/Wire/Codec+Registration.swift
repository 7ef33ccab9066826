import CAuthRPCProto

// Sign-up and password-reset messages (SPEC §4 CodeDelivery, Register*,
// ConfirmRegistration*, ResendConfirmationCode*, ForgotPassword*, ConfirmForgotPassword*).

extension CodeDelivery {
    init(c: Authrpc__V1__CodeDelivery) {
        self.init(destination: swiftString(c.destination), deliveryMedium: swiftString(c.delivery_medium),
                  attributeName: swiftString(c.attribute_name))
    }

    func cMessage(in arena: CArena) -> UnsafeMutablePointer<Authrpc__V1__CodeDelivery> {
        arena.message(authrpc__v1__code_delivery__init) { c in
            c.destination = arena.string(destination)
            c.delivery_medium = arena.string(deliveryMedium)
            c.attribute_name = arena.string(attributeName)
        }
    }
}

extension RegisterRequest {
    init(c: Authrpc__V1__RegisterRequest) {
        self.init(username: swiftString(c.username), password: swiftString(c.password),
                  email: swiftString(c.email), attributes: swiftMap(c.n_attributes, c.attributes))
    }

    func cMessage(in arena: CArena) -> UnsafeMutablePointer<Authrpc__V1__RegisterRequest> {
        arena.message(authrpc__v1__register_request__init) { c in
            c.username = arena.string(username)
            c.password = arena.string(password)
            c.email = arena.string(email)
            (c.n_attributes, c.attributes) = arena.map(attributes, authrpc__v1__register_request__attributes_entry__init)
        }
    }
}

extension RegisterResponse {
    init(c: Authrpc__V1__RegisterResponse) {
        self.init(userSub: swiftString(c.user_sub), userConfirmed: Bool(cBoolean: c.user_confirmed),
                  codeDelivery: c.code_delivery.map { CodeDelivery(c: $0.pointee) })
    }

    func cMessage(in arena: CArena) -> UnsafeMutablePointer<Authrpc__V1__RegisterResponse> {
        arena.message(authrpc__v1__register_response__init) { c in
            c.user_sub = arena.string(userSub)
            c.user_confirmed = userConfirmed.cBoolean
            c.code_delivery = codeDelivery?.cMessage(in: arena)
        }
    }
}

extension ConfirmRegistrationRequest {
    init(c: Authrpc__V1__ConfirmRegistrationRequest) {
        self.init(username: swiftString(c.username), code: swiftString(c.code))
    }

    func cMessage(in arena: CArena) -> UnsafeMutablePointer<Authrpc__V1__ConfirmRegistrationRequest> {
        arena.message(authrpc__v1__confirm_registration_request__init) { c in
            c.username = arena.string(username)
            c.code = arena.string(code)
        }
    }
}

extension ConfirmRegistrationResponse {
    init(c _: Authrpc__V1__ConfirmRegistrationResponse) { self.init() }

    func cMessage(in arena: CArena) -> UnsafeMutablePointer<Authrpc__V1__ConfirmRegistrationResponse> {
        arena.message(authrpc__v1__confirm_registration_response__init) { _ in }
    }
}

extension ResendConfirmationCodeRequest {
    init(c: Authrpc__V1__ResendConfirmationCodeRequest) {
        self.init(username: swiftString(c.username))
    }

    func cMessage(in arena: CArena) -> UnsafeMutablePointer<Authrpc__V1__ResendConfirmationCodeRequest> {
        arena.message(authrpc__v1__resend_confirmation_code_request__init) { c in
            c.username = arena.string(username)
        }
    }
}

extension ResendConfirmationCodeResponse {
    init(c: Authrpc__V1__ResendConfirmationCodeResponse) {
        self.init(codeDelivery: c.code_delivery.map { CodeDelivery(c: $0.pointee) })
    }

    func cMessage(in arena: CArena) -> UnsafeMutablePointer<Authrpc__V1__ResendConfirmationCodeResponse> {
        arena.message(authrpc__v1__resend_confirmation_code_response__init) { c in
            c.code_delivery = codeDelivery?.cMessage(in: arena)
        }
    }
}

extension ForgotPasswordRequest {
    init(c: Authrpc__V1__ForgotPasswordRequest) {
        self.init(username: swiftString(c.username))
    }

    func cMessage(in arena: CArena) -> UnsafeMutablePointer<Authrpc__V1__ForgotPasswordRequest> {
        arena.message(authrpc__v1__forgot_password_request__init) { c in
            c.username = arena.string(username)
        }
    }
}

extension ForgotPasswordResponse {
    init(c: Authrpc__V1__ForgotPasswordResponse) {
        self.init(codeDelivery: c.code_delivery.map { CodeDelivery(c: $0.pointee) })
    }

    func cMessage(in arena: CArena) -> UnsafeMutablePointer<Authrpc__V1__ForgotPasswordResponse> {
        arena.message(authrpc__v1__forgot_password_response__init) { c in
            c.code_delivery = codeDelivery?.cMessage(in: arena)
        }
    }
}

extension ConfirmForgotPasswordRequest {
    init(c: Authrpc__V1__ConfirmForgotPasswordRequest) {
        self.init(username: swiftString(c.username), code: swiftString(c.code),
                  newPassword: swiftString(c.new_password))
    }

    func cMessage(in arena: CArena) -> UnsafeMutablePointer<Authrpc__V1__ConfirmForgotPasswordRequest> {
        arena.message(authrpc__v1__confirm_forgot_password_request__init) { c in
            c.username = arena.string(username)
            c.code = arena.string(code)
            c.new_password = arena.string(newPassword)
        }
    }
}

extension ConfirmForgotPasswordResponse {
    init(c _: Authrpc__V1__ConfirmForgotPasswordResponse) { self.init() }

    func cMessage(in arena: CArena) -> UnsafeMutablePointer<Authrpc__V1__ConfirmForgotPasswordResponse> {
        arena.message(authrpc__v1__confirm_forgot_password_response__init) { _ in }
    }
}
