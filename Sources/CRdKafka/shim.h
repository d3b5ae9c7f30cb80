// librdkafka's client API and its in-process mock cluster (a real Kafka-protocol broker used
// by `mottak-dev` and the tests). Installed by Debian's librdkafka-dev.
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
