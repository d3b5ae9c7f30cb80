/// The OpenAPI description of the public routes, written by hand to say what this service really
/// does (every status, every ApiError type). `OpenAPIDocumentTests` checks it against the code's
/// routes and error catalogue; change both together.
enum OpenAPIDocument {
    static let yaml = #"""
        openapi: 3.0.3
        info:
          title: LPS follow-up plan API
          version: 1.1.0
          description: |
            Payroll and HR systems (LPS) submit follow-up plans (oppfølgingsplaner) for employees on
            sick leave; NAV delivers them to NAV and to the employee's general practitioner.
            Every request needs a Maskinporten token with the scope `nav:oppfolgingsplan/lps.write`.
            Every error body is an ApiError. Every response carries `Nav-Call-Id` (the request's, or
            a new one): quote it when you contact NAV.
        servers:
          - url: https://lps-oppfolgingsplan-mottak.ekstern.dev.nav.no
            description: test
          - url: https://lps-oppfolgingsplan-mottak.nav.no
            description: production
        security:
          - bearerAuth: []
        paths:
          /api/v1/followupplan:
            post:
              summary: Submit a follow-up plan
              operationId: submitFollowUpPlan
              parameters:
                - $ref: '#/components/parameters/NavCallId'
                - name: Idempotency-Key
                  in: header
                  required: false
                  description: |
                    Your own name for this submission (1-255 printable ASCII characters). Sending the
                    same key again from the same organisation returns the first plan's answer and
                    stores nothing new; the same key with a different plan is refused with 422.
                  schema:
                    type: string
                    minLength: 1
                    maxLength: 255
              requestBody:
                required: true
                content:
                  application/json:
                    schema:
                      $ref: '#/components/schemas/FollowUpPlanDTO'
              responses:
                '200':
                  description: The plan is stored and will be delivered. `isSentTo…` say what has been delivered so far.
                  headers:
                    Nav-Call-Id:
                      $ref: '#/components/headers/NavCallId'
                    Idempotent-Replayed:
                      description: '`true` when this answer repeats the one given for the same Idempotency-Key.'
                      schema:
                        type: string
                        enum: ['true']
                  content:
                    application/json:
                      schema:
                        $ref: '#/components/schemas/FollowUpPlanResponse'
                '400':
                  description: |
                    `BAD_REQUEST`: the body is not a follow-up plan (malformed JSON, a required field
                    missing or null, a wrong type, a date not in yyyy-MM-dd form); the message names
                    the field and starts with `Failed to convert request body`.
                    `VALIDATION_ERROR`: a rule of the contract failed, with its message.
                    `ILLEGAL_ARGUMENT`: the Idempotency-Key header is not acceptable.
                  content:
                    application/json:
                      schema:
                        $ref: '#/components/schemas/ApiError'
                '401':
                  $ref: '#/components/responses/Unauthorized'
                '413':
                  description: '`BAD_REQUEST`: the body is larger than 1 MiB.'
                  content:
                    application/json:
                      schema:
                        $ref: '#/components/schemas/ApiError'
                '415':
                  description: '`BAD_REQUEST`: the body is not declared as application/json.'
                  content:
                    application/json:
                      schema:
                        $ref: '#/components/schemas/ApiError'
                '422':
                  description: '`ILLEGAL_ARGUMENT`: this Idempotency-Key was already used for a different plan.'
                  content:
                    application/json:
                      schema:
                        $ref: '#/components/schemas/ApiError'
                '500':
                  $ref: '#/components/responses/InternalServerError'
                '503':
                  $ref: '#/components/responses/ServiceUnavailable'
          /api/v1/followupplan/verify-integration:
            get:
              summary: Check that your token is accepted
              operationId: verifyIntegration
              parameters:
                - $ref: '#/components/parameters/NavCallId'
              responses:
                '200':
                  description: The token is valid.
                  headers:
                    Nav-Call-Id:
                      $ref: '#/components/headers/NavCallId'
                  content:
                    text/plain:
                      schema:
                        type: string
                        enum: ['Integration is up and running']
                '401':
                  $ref: '#/components/responses/Unauthorized'
                '500':
                  $ref: '#/components/responses/InternalServerError'
                '503':
                  $ref: '#/components/responses/ServiceUnavailable'
        components:
          securitySchemes:
            bearerAuth:
              type: http
              scheme: bearer
              bearerFormat: JWT
              description: |
                A Maskinporten access token with the scope `nav:oppfolgingsplan/lps.write`. The
                `consumer` claim is the employer the plan is for; `supplier`, present when your
                system acts for the employer under Altinn delegation, is your organisation.
          parameters:
            NavCallId:
              name: Nav-Call-Id
              in: header
              required: false
              description: Your id for this request (up to 200 visible ASCII characters); echoed in the response.
              schema:
                type: string
                maxLength: 200
          headers:
            NavCallId:
              description: The request's call id, or a new one when the request had none.
              schema:
                type: string
          responses:
            Unauthorized:
              description: |
                `AUTHENTICATION_ERROR`: the token is missing or not acceptable; the message says why
                (an expired token says `JWT is expired`).
              headers:
                WWW-Authenticate:
                  schema:
                    type: string
              content:
                application/json:
                  schema:
                    $ref: '#/components/schemas/ApiError'
            InternalServerError:
              description: '`INTERNAL_SERVER_ERROR`: an unexpected error; the message carries the call id, the details are in our logs.'
              content:
                application/json:
                  schema:
                    $ref: '#/components/schemas/ApiError'
            ServiceUnavailable:
              description: |
                `INTERNAL_SERVER_ERROR` with status 503: a dependency (the database, Maskinporten's
                keys) is unreachable. Nothing was stored; try again later.
              content:
                application/json:
                  schema:
                    $ref: '#/components/schemas/ApiError'
          schemas:
            FollowUpPlanDTO:
              type: object
              required:
                - employeeIdentificationNumber
                - typicalWorkday
                - tasksThatCanStillBeDone
                - tasksThatCanNotBeDone
                - previousFacilitation
                - plannedFacilitation
                - followUp
                - evaluationDate
                - sendPlanToNav
                - sendPlanToGeneralPractitioner
                - contactPersonFullName
                - contactPersonPhoneNumber
                - contactPersonEmail
                - employeeHasContributedToPlan
                - lpsName
              properties:
                employeeIdentificationNumber:
                  type: string
                  pattern: '^[0-9]{11}$'
                  description: The employee's fødselsnummer or D-number (11 digits).
                typicalWorkday:
                  type: string
                tasksThatCanStillBeDone:
                  type: string
                tasksThatCanNotBeDone:
                  type: string
                previousFacilitation:
                  type: string
                plannedFacilitation:
                  type: string
                otherFacilitationOptions:
                  type: string
                  nullable: true
                followUp:
                  type: string
                evaluationDate:
                  type: string
                  format: date
                  description: yyyy-MM-dd
                sendPlanToNav:
                  type: boolean
                needsHelpFromNav:
                  type: boolean
                  nullable: true
                  description: Only with sendPlanToNav true.
                needsHelpFromNavDescription:
                  type: string
                  nullable: true
                  description: Required (not blank) when needsHelpFromNav is true.
                sendPlanToGeneralPractitioner:
                  type: boolean
                messageToGeneralPractitioner:
                  type: string
                  nullable: true
                additionalInformation:
                  type: string
                  nullable: true
                contactPersonFullName:
                  type: string
                contactPersonPhoneNumber:
                  type: string
                contactPersonEmail:
                  type: string
                employeeHasContributedToPlan:
                  type: boolean
                employeeHasNotContributedToPlanDescription:
                  type: string
                  nullable: true
                  description: Required (not blank) when employeeHasContributedToPlan is false; must be absent or empty when it is true.
                lpsName:
                  type: string
                  description: The name of your system.
                lpsEmail:
                  type: string
                  nullable: true
            FollowUpPlanResponse:
              type: object
              required: [uuid, isSentToGeneralPractitionerStatus, isSentToNavStatus]
              properties:
                uuid:
                  type: string
                  format: uuid
                isSentToGeneralPractitionerStatus:
                  type: boolean
                  description: True when the plan has reached the general practitioner.
                isSentToNavStatus:
                  type: boolean
                  description: True when the plan has reached NAV (journalled, and the caseworker task sent when help was asked for).
            ApiError:
              type: object
              required: [status, type, message]
              properties:
                status:
                  type: object
                  required: [value, description]
                  properties:
                    value:
                      type: integer
                      example: 400
                    description:
                      type: string
                      example: Bad Request
                type:
                  type: string
                  enum:
                    - AUTHENTICATION_ERROR
                    - VALIDATION_ERROR
                    - NOT_FOUND
                    - INTERNAL_SERVER_ERROR
                    - ILLEGAL_ARGUMENT
                    - BAD_REQUEST
                    - FOLLOWUP_PLAN_NOT_FOUND
                    - FORBIDDEN_ACCESS_VEILEDER
                    - GENERAL_PRACTITIONER_NOT_FOUND
                    - EMPLOYEE_NOT_FOUND
                    - NO_ACTIVE_SENT_SYKMELDING
                    - NO_ACTIVE_EMPLOYMENT
                message:
                  type: string
              example:
                status:
                  value: 400
                  description: Bad Request
                type: VALIDATION_ERROR
                message: Invalid employee identification number
        """#
}
