// CloudFront Function (cloudfront-js-2.0), viewer-request: serves index.html for folder-like paths.
function handler(event) {
    var request = event.request;
    var uri = request.uri;
    if (uri.endsWith('/')) {
        request.uri = uri + 'index.html';
    } else if (uri.split('/').pop().indexOf('.') === -1) {
        request.uri = uri + '/index.html';
    }
    return request;
}
