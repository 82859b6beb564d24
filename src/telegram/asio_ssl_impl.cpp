// Asio's TLS support compiled once (BOOST_ASIO_SEPARATE_COMPILATION, like http/asio_impl.cpp):
// the Bot API client is the only user of TLS in the program.
#include <boost/asio/ssl/impl/src.hpp>
