/// The OpenAPI description of the public routes, written by hand to say what this service really
/// does (every status, every ApiError type). `OpenAPIDocumentTests` checks it against the code's
/// routes and error catalogue; change both together.
enum OpenAPIDocument {
    static let yaml = #"""
        openapi: 3.0.3
        info:
          title: LPS follow-up plan API
          version: 1.2.0
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
                - name: Prefer
                  in: header
                  required: false
                  description: |
                    RFC 7240. By default the answer waits (up to 10 s) for the plan's outcome.
                    `respond-async` asks for 202 Accepted at once, as soon as the plan is stored;
                    `wait=<seconds>` shortens the wait. Other preferences are ignored.
                  schema:
                    type: string
                    example: respond-async
              requestBody:
                required: true
                content:
                  application/json:
                    schema:
                      $ref: '#/components/schemas/FollowUpPlanDTO'
              responses:
                '200':
                  description: |
                    The plan is processed: `isSentToNavStatus` and `isSentToGeneralPractitionerStatus`
                    say where it arrived. When one of two requested channels failed (say the GP is
                    unknown), the status resource (`Location`) says why.
                  headers:
                    Nav-Call-Id:
                      $ref: '#/components/headers/NavCallId'
                    Location:
                      $ref: '#/components/headers/StatusLocation'
                    Idempotent-Replayed:
                      $ref: '#/components/headers/IdempotentReplayed'
                  content:
                    application/json:
                      schema:
                        $ref: '#/components/schemas/FollowUpPlanResponse'
                '202':
                  description: |
                    The plan is stored and will be processed, but there is no outcome yet: you asked
                    for `Prefer: respond-async` (then `Preference-Applied: respond-async` says so), the
                    outcome took longer than the wait, or delivery failed for a reason NAV's operators
                    can still fix. Do not submit the plan again; follow it at `Location`. Both
                    booleans are false: nothing is confirmed delivered yet.
                  headers:
                    Nav-Call-Id:
                      $ref: '#/components/headers/NavCallId'
                    Location:
                      $ref: '#/components/headers/StatusLocation'
                    Preference-Applied:
                      schema:
                        type: string
                        enum: [respond-async]
                    Idempotent-Replayed:
                      $ref: '#/components/headers/IdempotentReplayed'
                  content:
                    application/json:
                      schema:
                        $ref: '#/components/schemas/FollowUpPlanResponse'
                '400':
                  description: |
                    `BAD_REQUEST`: the body is not a follow-up plan (malformed JSON, a required field
                    missing or null, a wrong type, a date in none of the accepted forms); the message names
                    the field and starts with `Failed to convert request body`.
                    `VALIDATION_ERROR`: a rule of the contract failed, with its message.
                    `ILLEGAL_ARGUMENT`: the Idempotency-Key header is not acceptable.
                  content:
                    application/json:
                      schema:
                        $ref: '#/components/schemas/ApiError'
                '401':
                  $ref: '#/components/responses/Unauthorized'
                '403':
                  description: |
                    The plan was checked and refused: `NO_ACTIVE_EMPLOYMENT` (the employee has no active
                    employment at your organisation) or `NO_ACTIVE_SENT_SYKMELDING` (no sykmelding sent
                    to your organisation is active). `Location` names the plan's status resource.
                  headers:
                    Location:
                      $ref: '#/components/headers/StatusLocation'
                  content:
                    application/json:
                      schema:
                        $ref: '#/components/schemas/ApiError'
                '404':
                  description: |
                    `EMPLOYEE_NOT_FOUND`: the person is unknown to the population register.
                    `GENERAL_PRACTITIONER_NOT_FOUND`: the plan was for the general practitioner only,
                    and the employee has none that can be reached.
                  headers:
                    Location:
                      $ref: '#/components/headers/StatusLocation'
                  content:
                    application/json:
                      schema:
                        $ref: '#/components/schemas/ApiError'
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
          /api/v1/followupplan/{uuid}/sendingstatus:
            get:
              summary: What happened to a plan
              description: |
                Readable only with a token for the organisation the plan was submitted for (its
                `consumer` claim); for anyone else the plan does not exist (404).
              operationId: getSendingStatus
              parameters:
                - $ref: '#/components/parameters/NavCallId'
                - name: uuid
                  in: path
                  required: true
                  description: The plan's uuid, as the submission answered it.
                  schema:
                    type: string
                    format: uuid
              responses:
                '200':
                  description: The plan's status.
                  headers:
                    Nav-Call-Id:
                      $ref: '#/components/headers/NavCallId'
                  content:
                    application/json:
                      schema:
                        $ref: '#/components/schemas/PlanStatus'
                '400':
                  description: '`ILLEGAL_ARGUMENT`: the path does not hold a uuid (`Invalid UUID string: …`).'
                  content:
                    application/json:
                      schema:
                        $ref: '#/components/schemas/ApiError'
                '401':
                  $ref: '#/components/responses/Unauthorized'
                '404':
                  description: '`FOLLOWUP_PLAN_NOT_FOUND`: no plan with this uuid was submitted for your organisation.'
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
              description: |
                Your id for this request, echoed in the response, in our logs and on the plan's
                events. 1-200 visible ASCII characters; any other value is replaced by a new id.
              schema:
                type: string
          headers:
            NavCallId:
              description: The request's call id, or a new one when the request had none.
              schema:
                type: string
            StatusLocation:
              description: The plan's status resource, `/api/v1/followupplan/{uuid}/sendingstatus`.
              schema:
                type: string
            IdempotentReplayed:
              description: '`true` when this answer is for the plan first submitted under the same Idempotency-Key.'
              schema:
                type: string
                enum: ['true']
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
                  description: |
                    The date of the evaluation, stored and shown as yyyy-MM-dd. Accepted: a date
                    `2027-01-31`; an ISO-8601 instant with `Z` or an offset
                    (`2025-06-19T22:00:00.000Z`, `2027-01-31T00:00:00+01:00`), taken as its
                    calendar date in Europe/Oslo (so JavaScript's `toISOString()` of a day picked
                    in Norway gives that day); a local date-time without zone
                    (`2027-01-31T00:00:00`), its date part; an array `[2027, 1, 31]`. Anything else
                    is a 400 BAD_REQUEST naming the field and these forms.
                  oneOf:
                    - type: string
                      example: '2027-01-31'
                    - type: array
                      items:
                        type: integer
                      minItems: 3
                      maxItems: 3
                      example: [2027, 1, 31]
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
            PlanStatus:
              type: object
              description: |
                The contract's three fields, then the detail: the plan moves RECEIVED → (REJECTED |
                IN_PROGRESS) → (COMPLETED | FAILED); each channel NOT_REQUESTED | PENDING | SENT | FAILED.
                Times are RFC 3339 in UTC.
              required: [uuid, isSentToGeneralPractitionerStatus, isSentToNavStatus, state, error, receivedAt, updatedAt, channels]
              properties:
                uuid:
                  type: string
                  format: uuid
                isSentToGeneralPractitionerStatus:
                  type: boolean
                isSentToNavStatus:
                  type: boolean
                state:
                  type: string
                  enum: [RECEIVED, REJECTED, IN_PROGRESS, COMPLETED, FAILED]
                error:
                  description: Why the plan was REJECTED or FAILED.
                  allOf:
                    - $ref: '#/components/schemas/ApiError'
                  nullable: true
                receivedAt:
                  type: string
                  format: date-time
                updatedAt:
                  type: string
                  format: date-time
                channels:
                  type: object
                  required: [nav, generalPractitioner]
                  properties:
                    nav:
                      $ref: '#/components/schemas/ChannelStatus'
                    generalPractitioner:
                      $ref: '#/components/schemas/ChannelStatus'
            ChannelStatus:
              type: object
              required: [requested, state, updatedAt, attempts, error]
              properties:
                requested:
                  type: boolean
                state:
                  type: string
                  enum: [NOT_REQUESTED, PENDING, SENT, FAILED]
                updatedAt:
                  type: string
                  format: date-time
                  nullable: true
                attempts:
                  type: integer
                  description: Delivery attempts recorded so far.
                journalpostId:
                  type: string
                  nullable: true
                  description: NAV channel only. The journal post of the plan in NAV's archive.
                error:
                  description: Why the channel FAILED.
                  allOf:
                    - $ref: '#/components/schemas/ApiError'
                  nullable: true
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
