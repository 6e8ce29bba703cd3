# Background jobs (the one queue of every module): why a job did not succeed.
err-job-actor-denied = This work stopped because the account that asked for it may no longer do it in { $unit } (the right was revoked, the unit was moved, or the account was locked). Nothing more was written; if it is still needed, an officer with the right should start again.
err-job-crashed = This work stopped the server { $attempts } times, so it was stopped for good to keep the platform available to others. Please tell an administrator.
err-job-broke = This work stopped on a system error ({ $reason }). Please tell an administrator.
err-job-payload = The data of this work could not be read ({ $reason }); another release of the platform may have created it. Please tell an administrator.
# The village list is created within the request (not in the background), hence a row limit.
err-villages-too-many = The list has more than { $max } rows, more than the villages and residential groups of any commune. Check the file (it may be a list of residents chosen by mistake) and upload the commune's list of villages.
