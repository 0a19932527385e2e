#include "ampd/conformance/vector_reader.hpp"

#include <zlib.h>

#include <cerrno>
#include <cstring>

namespace ampd::conformance {

namespace {

constexpr size_t kChunk = size_t{1} << 18;  // 256 KiB per read

gzFile gz(void* f) {
    return static_cast<gzFile>(f);
}

}  // namespace

LineReader::LineReader(const std::string& path) : path_(path), buf_(kChunk) {
    // gzopen reads files without a gzip header transparently.
    gzFile f = gzopen(path.c_str(), "rb");
    if (f == nullptr) {
        throw ReadError("cannot open " + path + ": " + std::strerror(errno));
    }
    gzbuffer(f, kChunk);
    file_ = f;
}

LineReader::~LineReader() {
    if (file_ != nullptr) gzclose(gz(file_));
}

bool LineReader::fill() {
    if (eof_) return false;
    // Keep the unread tail at the front; grow when a line fills the buffer.
    if (pos_ > 0) {
        std::memmove(buf_.data(), buf_.data() + pos_, end_ - pos_);
        end_ -= pos_;
        pos_ = 0;
    }
    if (buf_.size() - end_ < kChunk) buf_.resize(buf_.size() * 2);
    const unsigned want = static_cast<unsigned>(buf_.size() - end_);
    const int n = gzread(gz(file_), buf_.data() + end_, want);
    if (n < 0) {
        int errnum = 0;
        const char* msg = gzerror(gz(file_), &errnum);
        throw ReadError("cannot read " + path_ + ": " + (msg != nullptr ? msg : "error"));
    }
    if (n == 0) {
        // gzread reports a truncated gzip stream as end of file with an error set.
        int errnum = 0;
        const char* msg = gzerror(gz(file_), &errnum);
        if (errnum != Z_OK && errnum != Z_STREAM_END) {
            throw ReadError("cannot read " + path_ + ": " + (msg != nullptr ? msg : "error"));
        }
        eof_ = true;
        return false;
    }
    end_ += static_cast<size_t>(n);
    return true;
}

bool LineReader::next(std::string& line) {
    size_t scan = pos_;
    for (;;) {
        const char* start = buf_.data() + scan;
        const void* nl = std::memchr(start, '\n', end_ - scan);
        if (nl != nullptr) {
            size_t stop = static_cast<size_t>(static_cast<const char*>(nl) - buf_.data());
            const size_t next_pos = stop + 1;
            if (stop > pos_ && buf_[stop - 1] == '\r') --stop;
            line.assign(buf_.data() + pos_, stop - pos_);
            pos_ = next_pos;
            ++line_number_;
            return true;
        }
        const size_t scanned = end_ - pos_;
        if (!fill()) {
            if (pos_ == end_) return false;
            size_t stop = end_;
            if (buf_[stop - 1] == '\r') --stop;
            line.assign(buf_.data() + pos_, stop - pos_);
            pos_ = end_;
            ++line_number_;
            return true;
        }
        scan = pos_ + scanned;  // fill() moved the unread data to the front
    }
}

std::vector<std::string> read_lines(const std::string& path) {
    LineReader r(path);
    std::vector<std::string> lines;
    std::string line;
    while (r.next(line)) lines.push_back(line);
    return lines;
}

}  // namespace ampd::conformance
