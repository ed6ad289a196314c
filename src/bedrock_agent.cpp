// Compiles the library's non-template code once; link bedrock_agent::compiled to use it.
#include <bedrock_agent/src.hpp>
