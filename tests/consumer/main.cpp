// Builds against the installed (or added) library and signs one request offline.
#include <bedrock_agent/bedrock_agent.hpp>

#include <iostream>

int main()
{
    namespace ba = bedrock_agent;
    ba::diagnostics d;
    if (ba::validate(ba::stop_ingestion_job_request{"KB12345678", "DS12345678", "IJ12345678"}, d)) return 1;
    ba::sigv4::header_view h[] = {{"host", "bedrock-agent.us-east-1.amazonaws.com"}};
    std::chrono::system_clock::time_point t;
    ba::sigv4::parse_amz_date("20150830T123600Z", t);
    auto r = ba::sigv4::sign({"POST", "/knowledgebases/KBID123456/datasources/DSID123456/ingestionjobs/JOBID12345/stop", {}, h, {}, {}},
                             {"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", {}, "us-east-1", "bedrock", t, {}});
    std::cout << r.signature << "\n";
    return r.signature == "c98f5e29856a925ddc6582f5ebda7d972b11d85eea8403e2490fbee0afe294d0" ? 0 : 1;
}
